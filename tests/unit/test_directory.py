# Tests for the directory file: the sample, the lookups, every reported problem, and reloading.
from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest

from bot.directory import (
    Directory,
    DirectoryFile,
    DirectoryInvalid,
    Person,
    Problem,
    Role,
    Site,
    Trust,
    check_directory,
    load_directory,
)

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "directory.yml"

VALID = """\
trust:
  name: Test Trust
  head_of_comms: [comms@t.example]
  elt: [ceo@t.example]
sites:
  - id: alpha
    name: Alpha School
    kind: school
    headteacher: [head@a.example]
    safeguarding_leads: [dsl@a.example]
    staff: [teacher@a.example]
  - id: hub
    name: Support Hub
    kind: hub
    safeguarding_leads: [dsl@a.example]
accounts:
  - {id: alpha-x, site: alpha, platform: X, handle: "@Alpha"}
policy:
  next_review: 2026-11-30
people:
  - {email: comms@t.example, name: Comms Person, slack_id: U0AAAAAAA1}
  - {email: ceo@t.example, name: Chief Exec}
  - {email: head@a.example, name: Head Teacher}
  - {email: dsl@a.example, name: Safe Guard}
  - {email: teacher@a.example, name: Tea Cher}
"""


@pytest.fixture(scope="module")
def sample() -> Directory:
    return load_directory(SAMPLE)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "directory.yml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the n-th occurrence of `needle`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


# --- the sample --------------------------------------------------------------------------------


def test_sample_has_no_problems() -> None:
    assert check_directory(SAMPLE) == []


def test_sample_shape(sample: Directory) -> None:
    assert sample.trust.name == "Community Inclusive Trust"
    assert [s.id for s in sample.schools()] == ["willow", "oakfield", "riverside"]
    assert sample.hub() is not None and sample.hub().id == "hub"
    assert sample.site("riverside").name == "Riverside Academy"
    assert sample.site("nowhere") is None
    assert sample.policy.next_review == date(2026, 11, 30)
    assert sample.policy.training_valid_months == 12
    assert sample.trust.board == ("m.ellison@trust.example",)
    with_slack = sum(1 for p in sample.people if p.slack_id)
    assert 0.35 < with_slack / len(sample.people) < 0.65
    for school in sample.schools():
        assert {a.platform for a in sample.accounts_of(school.id)} == {"X", "Facebook"}
    assert {a.platform for a in sample.accounts_of("trust")} == {"LinkedIn", "Instagram"}
    assert sample.account("willow-x").handle == "@WillowPrimary"


def test_sites_of_two_site_teacher(sample: Directory) -> None:
    assert [s.id for s in sample.sites_of("e.clarke@willow.example")] == ["willow", "oakfield"]
    assert [s.id for s in sample.sites_of("E.Clarke@Willow.Example")] == ["willow", "oakfield"]
    assert [s.id for s in sample.sites_of("s.thompson@willow.example")] == ["willow"]
    assert sample.sites_of("nobody@x.example") == []


def test_holds_and_holders(sample: Directory) -> None:
    assert sample.holders("headteacher", "willow") == ("s.thompson@willow.example",)
    assert sample.holders("safeguarding_lead", "oakfield") == (
        "r.lawson@oakfield.example",
        "h.fraser@oakfield.example",
    )
    assert len(sample.holders("headteacher")) == 3
    assert sample.holders("elt", "willow") == sample.trust.elt  # Trust roles ignore site_id
    assert sample.holders("staff", "nowhere") == ()
    assert sample.holds("S.Thompson@willow.example", "headteacher")
    assert sample.holds("s.thompson@willow.example", "headteacher", "willow")
    assert not sample.holds("s.thompson@willow.example", "headteacher", "oakfield")
    assert sample.holds("e.clarke@willow.example", "staff", "oakfield")
    assert sample.holds("h.whitfield@trust.example", "head_of_comms", "riverside")
    assert sample.holds("helpdesk@itpartner.example", "it_provider")
    assert sample.holds("m.ellison@trust.example", "board")
    with pytest.raises(ValueError, match="unknown role"):
        sample.holds("s.thompson@willow.example", "head")


def test_roles_of(sample: Directory) -> None:
    assert sample.roles_of("e.clarke@willow.example") == [
        Role("staff", "willow"),
        Role("staff", "oakfield"),
    ]
    assert sample.roles_of("R.Ashworth@trust.example") == [Role("elt", None)]
    assert sample.roles_of("c.donnelly@trust.example") == [Role("safeguarding_lead", "hub")]
    assert sample.roles_of("nobody@x.example") == []


def test_search_people(sample: Directory) -> None:
    names = [p.name for p in sample.search_people("OAKFIELD")]
    assert names == sorted(names) and len(names) == 7
    assert [p.email for p in sample.search_people("emma")] == ["e.clarke@willow.example"]
    assert len(sample.search_people("", limit=5)) == 5
    assert sample.search_people("zzz") == []


def test_person_lookups(sample: Directory) -> None:
    head = sample.person("M.OBrien@Oakfield.example")
    assert head is not None and head.name == "Michael O'Brien"
    assert sample.person_by_slack_id(head.slack_id) == head
    assert sample.person_by_slack_id("U0NOBODY00") is None
    assert sample.person_by_teams_id("29:nobody") is None
    assert sample.display_name("K.Holt@willow.example") == "Karen Holt"
    assert sample.display_name("stranger@x.example") == "stranger@x.example"


def test_built_in_code_normalises_emails() -> None:
    directory = Directory(
        trust=Trust("T", head_of_comms=["Comms@T.example"], elt=("CEO@t.example",)),
        sites=[Site("a", "A", "school", headteacher=["Head@A.example"])],
        people=[Person("Head@A.example", "Head", teams_id="29:abc")],
    )
    assert directory.trust.head_of_comms == ("comms@t.example",)
    assert directory.holds("HEAD@a.example", "headteacher", "a")
    assert directory.person_by_teams_id("29:abc").email == "head@a.example"


# --- problems, each with its line --------------------------------------------------------------


def replace(old: str, new: str, occurrence: int = 1) -> str:
    """VALID with the n-th occurrence of `old` replaced by `new`."""
    parts = VALID.split(old)
    assert len(parts) > occurrence, old
    return old.join(parts[:occurrence]) + new + old.join(parts[occurrence:])


CASES = [
    # (id, yaml text, text on the expected line [or (text, occurrence)], words in the message)
    ("missing trust name", replace("  name: Test Trust\n", ""), "trust:", "no name"),
    ("empty trust name", replace("name: Test Trust", "name:"), "  name:", "no name"),
    ("missing elt", replace("  elt: [ceo@t.example]\n", ""), "trust:", "trust.elt"),
    ("empty elt", replace("elt: [ceo@t.example]", "elt: []"), "elt: []", "trust.elt"),
    (
        "missing head_of_comms",
        replace("  head_of_comms: [comms@t.example]\n", ""),
        "trust:",
        "trust.head_of_comms",
    ),
    (
        "unknown trust e-mail",
        replace("elt: [ceo@t.example]", "elt: [ceo@t.example, cfo@t.example]"),
        "cfo@t.example",
        'unknown e-mail "cfo@t.example" in trust.elt (add them under people:)',
    ),
    (
        "unknown site e-mail",
        replace("staff: [teacher@a.example]", "staff: [teacher@a.example, new@a.example]"),
        "new@a.example",
        'unknown e-mail "new@a.example" in sites[0].staff',
    ),
    (
        "malformed role e-mail",
        replace("headteacher: [head@a.example]", "headteacher: [head at a.example]"),
        "head at a.example",
        "is not an e-mail address",
    ),
    (
        "malformed person e-mail",
        replace("- {email: ceo@t.example,", "- {email: ceo(at)t.example,"),
        "ceo(at)t.example",
        "is not an e-mail address",
    ),
    (
        "duplicate person",
        VALID + "  - {email: CEO@t.example, name: Another}\n",
        "Another",
        "listed twice",
    ),
    (
        "duplicate site id",
        replace("  - id: hub\n", "  - id: alpha\n"),
        ("- id: alpha", 2),
        'site id "alpha" is used twice',
    ),
    (
        "site id not a slug",
        replace("id: alpha\n", "id: Alpha School\n").replace("site: alpha", "site: trust"),
        "id: Alpha School",
        "lower-case letters",
    ),
    (
        "site id trust is reserved",
        replace("  - id: hub\n", "  - id: trust\n"),
        "- id: trust",
        "reserved",
    ),
    ("unknown kind", replace("kind: school", "kind: academy"), "kind: academy", "school or hub"),
    (
        "school without headteacher",
        replace("    headteacher: [head@a.example]\n", ""),
        "- id: alpha",
        "without a Headteacher",
    ),
    (
        "site without safeguarding lead",
        replace("    safeguarding_leads: [dsl@a.example]\n", "", occurrence=2),
        "- id: hub",
        "has no Safeguarding Lead",
    ),
    (
        "empty safeguarding leads",
        replace("safeguarding_leads: [dsl@a.example]", "safeguarding_leads:"),
        "safeguarding_leads:",
        "has no Safeguarding Lead",
    ),
    (
        "two hubs",
        replace("kind: school", "kind: hub").replace("    headteacher: [head@a.example]\n", ""),
        ("kind: hub", 2),
        "more than one hub",
    ),
    (
        "account for unknown site",
        replace("site: alpha", "site: beta"),
        "site: beta",
        '"beta" is neither a site id',
    ),
    (
        "duplicate account id",
        replace(
            "accounts:\n", 'accounts:\n  - {id: alpha-x, site: trust, platform: X, handle: "@T"}\n'
        ),
        "site: alpha",
        'account id "alpha-x" is used twice',
    ),
    (
        "unknown platform",
        replace("platform: X", "platform: Twitter"),
        "Twitter",
        'unknown platform "Twitter"',
    ),
    (
        "person without a name",
        replace("{email: ceo@t.example, name: Chief Exec}", "{email: ceo@t.example}"),
        "{email: ceo@t.example}",
        "has no name",
    ),
    (
        "duplicate slack_id",
        replace("name: Chief Exec}", "name: Chief Exec, slack_id: U0AAAAAAA1}"),
        "Chief Exec",
        'slack_id "U0AAAAAAA1" is given to two people',
    ),
    (
        "bad slack_id",
        replace("slack_id: U0AAAAAAA1", "slack_id: comms"),
        "slack_id: comms",
        "Slack member id",
    ),
    (
        "next_review not a date",
        replace("next_review: 2026-11-30", "next_review: next November"),
        "next_review",
        "should be a date",
    ),
    (
        "next_review impossible date",
        replace("next_review: 2026-11-30", 'next_review: "2026-02-30"'),
        "next_review",
        "should be a date",
    ),
    (
        "training months zero",
        replace(
            "  next_review: 2026-11-30\n", "  next_review: 2026-11-30\n  training_valid_months: 0\n"
        ),
        "training_valid_months",
        "whole number of months",
    ),
    (
        "training months not a number",
        replace("policy:\n", "policy:\n  training_valid_months: twelve\n"),
        "training_valid_months",
        "whole number of months",
    ),
    (
        "unknown top-level key",
        replace("people:\n", "poeple:\n  - x\npeople:\n"),
        "poeple:",
        'unknown key "poeple"',
    ),
    (
        "unknown site key",
        replace("    staff: [teacher@a.example]\n", "    safeguarding_lead: [dsl@a.example]\n"),
        "safeguarding_lead:",
        'did you mean "safeguarding_leads"?',
    ),
    (
        "not valid YAML",
        replace("name: Alpha School", "name: [Alpha"),
        "kind: school",
        "not valid YAML",
    ),
    ("unquoted @ handle", replace('handle: "@Alpha"', "handle: @Alpha"), "@Alpha", "in quotes"),
    ("not a mapping", "- just\n- a list\n", "- just", "sections such as trust:"),
]


@pytest.mark.parametrize(
    ("text", "needle", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_problem_is_reported_on_its_line(
    tmp_path: Path, text: str, needle: str | tuple[str, int], words: str
) -> None:
    problems = check_directory(write(tmp_path, text))
    expected = line_of(text, *needle) if isinstance(needle, tuple) else line_of(text, needle)
    assert any(p.line == expected and words in p.message for p in problems), problems


def test_top_level_key_message_names_allowed_keys(tmp_path: Path) -> None:
    text = VALID + "settings: {}\n"
    [problem] = check_directory(write(tmp_path, text))
    assert problem.line == line_of(text, "settings:")
    assert "trust, sites, accounts, policy, people" in problem.message


def test_problem_str_has_file_and_line() -> None:
    problem = Problem(14, 'unknown e-mail "x@y" in sites[0].headteacher (add them under people:)')
    assert str(problem) == (
        'directory.yml:14: unknown e-mail "x@y" in sites[0].headteacher (add them under people:)'
    )
    assert str(Problem(None, "the directory file is empty")) == (
        "directory.yml: the directory file is empty"
    )


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda tmp: tmp / "absent.yml", "does not exist"),
        (lambda tmp: tmp, "cannot be read"),
        (lambda tmp: write(tmp, ""), "empty"),
        (lambda tmp: write(tmp, "trust: {}\n"), "no sites: section"),
    ],
    ids=["missing", "unreadable", "empty", "missing section"],
)
def test_file_level_problems(tmp_path: Path, setup, words: str) -> None:
    problems = check_directory(setup(tmp_path))
    assert any(words in p.message for p in problems), problems
    with pytest.raises(DirectoryInvalid) as raised:
        load_directory(setup(tmp_path))
    assert raised.value.problems == problems


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "directory.yml"
    path.write_bytes(b"trust:\n  name: \xff\xfe\n")
    [problem] = check_directory(path)
    assert "UTF-8" in problem.message


def test_all_problems_reported_together_in_line_order(tmp_path: Path) -> None:
    text = (
        replace("kind: school", "kind: academy")
        .replace("platform: X", "platform: Myspace")
        .replace("name: Chief Exec}", "name: Chief Exec, slack_id: U0AAAAAAA1}")
        .replace("elt: [ceo@t.example]", "elt: [cfo@t.example]")
        .replace("next_review: 2026-11-30", "next_review: soon")
    )
    path = write(tmp_path, text)
    problems = check_directory(path)
    lines = [p.line for p in problems]
    assert lines == sorted(lines)
    assert {
        line_of(text, "cfo@t.example"),
        line_of(text, "kind: academy"),
        line_of(text, "Myspace"),
        line_of(text, "next_review"),
        line_of(text, "Chief Exec"),
    } <= set(lines)
    with pytest.raises(DirectoryInvalid) as raised:
        load_directory(path)
    assert len(raised.value.problems) == len(problems) >= 5
    assert f"{path}:{line_of(text, 'Myspace')}:" in str(raised.value)


# --- DirectoryFile -----------------------------------------------------------------------------


def touch_later(path: Path) -> None:
    """Move the file's mtime forward, so a same-size edit is seen even on coarse clocks."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


def test_directory_file_reloads_on_change(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    source = DirectoryFile(path)
    first = source.current()
    assert source.current() is first and source.reload_count == 0
    path.write_text(VALID.replace("Test Trust", "Best Trust"), encoding="utf-8")  # same size
    touch_later(path)
    second = source.current()
    assert second.trust.name == "Best Trust" and source.reload_count == 1
    assert source.current() is second


def test_directory_file_keeps_old_on_invalid_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, VALID)
    source = DirectoryFile(path)
    good = source.current()
    path.write_text(VALID.replace("kind: school", "kind: academy"), encoding="utf-8")
    touch_later(path)
    with caplog.at_level(logging.WARNING, logger="bot.directory"):
        assert source.current() is good
        assert source.current() is good
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "1 problem" in warnings[0].getMessage()
    assert "@" not in warnings[0].getMessage()
    assert source.reload_count == 0
    path.unlink()
    assert source.current() is good
    write(tmp_path, VALID.replace("Test Trust", "Fixed Trust"))
    touch_later(path)
    assert source.current().trust.name == "Fixed Trust" and source.reload_count == 1


def test_directory_file_first_load_raises(tmp_path: Path) -> None:
    with pytest.raises(DirectoryInvalid):
        DirectoryFile(tmp_path / "absent.yml").current()
