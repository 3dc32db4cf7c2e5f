# Tests for help_for: the commands for everyone, and a paragraph for each role the person holds.
from __future__ import annotations

from pathlib import Path

import pytest

from bot.directory import Directory, load_directory
from bot.help import ROLE_HELP, help_for
from bot.messages import Message

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"
ROLE_TITLES = {
    "headteacher": "As Headteacher",
    "elt": "As Executive Leadership Team",
    "safeguarding_lead": "As Safeguarding Lead",
    "head_of_comms": "As Head of Communications",
    "it_provider": "As IT provider",
    "board": "As Trust Board",
    "office": "As School office",
}


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def role_sections(message: Message) -> dict[str, str]:
    return {s.title: s.text for s in message.sections if s.title.startswith("As ")}


def command_titles(message: Message) -> list[str]:
    return [s.title for s in message.sections if s.title.startswith("/")]


def test_every_role_paragraph_has_a_title() -> None:
    assert set(ROLE_HELP) == set(ROLE_TITLES)


def test_headteacher_sees_the_headteacher_paragraph(directory: Directory) -> None:
    message = help_for(directory, "s.thompson@willow.example")

    assert role_sections(message) == {"As Headteacher": ROLE_HELP["headteacher"]}
    assert "Your roles: Headteacher." in (message.body or "")


def test_teacher_sees_no_role_paragraph(directory: Directory) -> None:
    message = help_for(directory, "d.hughes@willow.example")

    assert role_sections(message) == {}
    assert "As Headteacher" not in [s.title for s in message.sections]
    assert "Your roles: Staff." in (message.body or "")


def test_two_site_teacher_sees_staff_once(directory: Directory) -> None:
    message = help_for(directory, "e.clarke@willow.example")

    assert role_sections(message) == {}
    assert "Your roles: Staff." in (message.body or "")


@pytest.mark.parametrize(
    ("email", "roles"),
    [
        ("j.whitaker@willow.example", ["safeguarding_lead"]),
        ("c.donnelly@trust.example", ["safeguarding_lead"]),
        ("r.ashworth@trust.example", ["elt"]),
        ("h.whitfield@trust.example", ["head_of_comms"]),
        ("helpdesk@itpartner.example", ["it_provider"]),
        ("m.ellison@trust.example", ["board"]),
        ("k.holt@willow.example", ["office"]),
    ],
)
def test_each_role_sees_only_its_own_paragraph(
    directory: Directory, email: str, roles: list[str]
) -> None:
    message = help_for(directory, email)

    assert role_sections(message) == {ROLE_TITLES[r]: ROLE_HELP[r] for r in roles}


def test_everyone_sees_the_commands(directory: Directory) -> None:
    for email in ("d.hughes@willow.example", "s.thompson@willow.example", None):
        assert command_titles(help_for(directory, email)) == [
            "/report-misuse",
            "/request-post",
            "/declare-relationship",
            "/training",
            "/abuse-log",
            "/policybot",
        ]


def test_someone_not_in_the_directory_gets_the_commands_only(directory: Directory) -> None:
    for email in ("stranger@elsewhere.example", None):
        message = help_for(directory, email)

        assert role_sections(message) == {}
        assert "Your roles" not in (message.body or "")
        assert "Community Inclusive Trust" in (message.body or "")


def test_the_email_is_matched_in_any_letter_case(directory: Directory) -> None:
    message = help_for(directory, "S.Thompson@Willow.EXAMPLE")

    assert list(role_sections(message)) == ["As Headteacher"]


def test_several_roles_each_get_a_paragraph_once(tmp_path: Path) -> None:
    path = tmp_path / "directory.yml"
    path.write_text(
        """\
trust:
  name: Tiny Trust
  head_of_comms: [comms@t.example]
  elt: [head@a.example]
sites:
  - id: alpha
    name: Alpha School
    kind: school
    headteacher: [head@a.example]
    safeguarding_leads: [head@a.example]
  - id: beta
    name: Beta School
    kind: school
    headteacher: [head@a.example]
    safeguarding_leads: [comms@t.example]
people:
  - {email: comms@t.example, name: Comms Person}
  - {email: head@a.example, name: Executive Head}
""",
        encoding="utf-8",
    )
    message = help_for(load_directory(path), "head@a.example")

    assert list(role_sections(message)) == [
        "As Headteacher",
        "As Safeguarding Lead",
        "As Executive Leadership Team",
    ]
    assert "Your roles: Executive Leadership Team, Headteacher, Safeguarding Lead." in (
        message.body or ""
    )


def test_notification_is_discreet(directory: Directory) -> None:
    message = help_for(directory, "s.thompson@willow.example")

    assert message.notification == "policybot help"
    assert message.footer and "App Home" in message.footer
