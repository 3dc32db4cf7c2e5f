# The front desk without any chat platform: every id served once, every button and form of every
# flow served, commands chosen by their words, and refusals answered in plain words.
from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time
from enum import StrEnum
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import bot
from bot.access.messages import revoke_action_id
from bot.clock import ManualClock
from bot.consent import service as consent
from bot.declarations.forms import END_FORM
from bot.desk import desk
from bot.directory import DirectoryFile
from bot.errors import FormInvalid, UnknownPerson
from bot.front import (
    Asked,
    Command,
    Desk,
    Notice,
    OpenForm,
    Pages,
    Submit,
    run_button,
    run_command,
    run_search,
    run_submit,
)
from bot.help import LATER_COMMANDS
from bot.help import desk as help_desk
from bot.posts.messages import PostAction
from bot.services import Services
from bot.training.campaigns import CAMPAIGN_REFUSAL
from bot.working_time import WorkingHours
from tests.e2e.harness import SAMPLE

WIRING = {"bot.__main__", "bot.server"}
LONDON = ZoneInfo("Europe/London")
TEACHER, OFFICE = "d.hughes@willow.example", "k.holt@willow.example"
COMMS, STRANGER = "h.whitfield@trust.example", "someone@elsewhere.example"
DESK = desk()


def domain_modules() -> Iterator[ModuleType]:
    """Every module of the domain (not the wiring), so new flows are checked as they land."""
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.name not in WIRING:
            yield importlib.import_module(info.name)


def action_enums() -> set[type[StrEnum]]:
    """The flows' button ids: the StrEnums named `...Action`."""
    return {
        value
        for module in domain_modules()
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, StrEnum) and name.endswith("Action")
    }


def form_constants(suffix: str) -> set[str]:
    """Module constants of the flows' form modules ending in `suffix` (`_FORM`, `_FIELD`...)."""
    found: set[str] = set()
    for module in domain_modules():
        if module.__name__.rsplit(".", 1)[-1] not in ("form", "forms"):
            continue
        for name, value in vars(module).items():
            if name.endswith(suffix):
                found |= {value} if isinstance(value, str) else set(value)
    return found


class NoStorage:
    """A unit of work a test does not expect to be used."""

    def __call__(self) -> Any:
        raise AssertionError("this answer should not need the database")


@pytest.fixture
def wakes() -> list[str]:
    return []


@pytest.fixture
def services(wakes: list[str]) -> Services:
    return Services(
        directory_file=DirectoryFile(SAMPLE),
        uow=NoStorage(),
        clock=ManualClock(datetime(2026, 11, 23, 10, tzinfo=UTC)),
        hours=WorkingHours(LONDON, time(8), time(17), frozenset(range(5))),
        ack_hours=2,
        wake_outbox=lambda: wakes.append("woken"),
    )


def as_person(email: str) -> Any:
    async def resolve() -> str:
        return email

    return resolve


async def stranger() -> str:
    raise UnknownPerson("Sorry, I can't find your account in the staff directory.")


def repeated(values: list[str]) -> list[str]:
    return [value for value, count in Counter(values).items() if count > 1]


# --- what the desk serves ------------------------------------------------------------------


def test_every_form_button_and_search_is_served_once() -> None:
    assert repeated([s.form_id for s in DESK.submits]) == []
    assert repeated([b.action_id for b in DESK.buttons]) == []
    assert repeated([s.field for s in DESK.searches]) == []


def test_every_command_word_and_teams_phrase_is_unique() -> None:
    assert repeated([c.teams for c in DESK.commands]) == []
    chosen_by = [(c.slack, word) for c in DESK.commands for word in c.words or (None,)]
    assert repeated(chosen_by) == []  # type: ignore[arg-type]


def test_every_button_a_message_can_carry_is_served() -> None:
    enums = action_enums()
    assert len(enums) >= 6, "the flows' action enums were not found"
    ids = {str(member) for enum in enums for member in enum}
    assert [i for i in sorted(ids) if DESK.button(i) is None] == []
    assert sorted({b.action_id for b in DESK.buttons} - ids) == [], "a button nobody shows"


def test_numbered_revoke_buttons_are_one_button() -> None:
    button = DESK.button(revoke_action_id("PA-2026-0001"))
    assert button is not None and button.action_id == "access_revoke"
    assert DESK.button("access_revoked") is None


def test_every_form_of_every_flow_is_served() -> None:
    forms = form_constants("_FORM")
    assert len(forms) >= 20, "the flows' form ids were not found"
    assert sorted(forms - {s.form_id for s in DESK.submits}) == []
    assert sorted({s.form_id for s in DESK.submits} - forms) == []


def test_every_search_field_is_served() -> None:
    fields = form_constants("_FIELD") | form_constants("_FIELDS")
    assert sorted(fields ^ {s.field for s in DESK.searches}) == []


def test_the_slash_commands_are_those_of_the_manifest() -> None:
    assert DESK.slash_commands() == [
        "/report-misuse",
        "/request-post",
        "/consent",
        "/declare-relationship",
        "/policybot",
        "/training",
        "/abuse-log",
    ]


# --- choosing a command ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slack", "text", "run_name", "rest"),
    [
        ("/policybot", "", "show_help", ""),
        ("/policybot", "Accounts willow", "show_register", "willow"),
        ("/policybot", "new-account", "open_account", ""),
        ("/policybot", "what can you do", "show_help", "what can you do"),
        ("/training", "done", "open_record", ""),
        ("/training", "progress", "show_progress", ""),
        ("/training", "", "show_status", ""),
        ("/declare-relationship", "mine", "show_register", ""),
        ("/report-misuse", "  ", "open_report", ""),
    ],
)
def test_a_slash_command_dispatches_on_its_first_word(
    slack: str, text: str, run_name: str, rest: str
) -> None:
    found = DESK.command(slack, text)
    assert found is not None
    assert (found[0].run.__name__, found[1]) == (run_name, rest)


def test_a_teams_message_chooses_the_longest_phrase() -> None:
    found = DESK.teams_command("Training  Campaign now")
    assert found is not None and found[0].word == "campaign" and found[1] == "now"
    found = DESK.teams_command("declare relationship")
    assert found is not None and found[0].word is None
    assert DESK.teams_command("hello there") is None


def test_a_later_command_gives_way_to_a_flow_that_serves_it(services: Services) -> None:
    async def log_abuse(_s: Services, _a: Asked, _t: str) -> None:
        return None

    oversight = Desk(commands=(Command("/abuse-log", "abuse log", "abuse log", log_abuse),))
    assert [c.slack for c in help_desk(oversight).commands] == ["/policybot"]
    assert [c.slack for c in help_desk(Desk()).commands] == ["/policybot", *LATER_COMMANDS]


# --- answers ---------------------------------------------------------------------------------


def command(slack: str, text: str = "") -> tuple[Command, str]:
    found = DESK.command(slack, text)
    assert found is not None
    return found


async def test_a_stranger_gets_the_plain_refusal(services: Services) -> None:
    chosen, text = command("/report-misuse")
    reply = await run_command(services, chosen, stranger, "test:1", text)
    assert isinstance(reply, Notice) and reply.text.startswith("Sorry, I can't find your account")
    button = DESK.button("report_acknowledge")
    assert button is not None
    click = await run_button(services, button, stranger, "t:2", "R-1")
    assert isinstance(click, Notice) and "can't find your account" in click.text


async def test_help_answers_a_stranger_with_whom_to_ask(services: Services) -> None:
    chosen, text = command("/policybot")
    reply = await run_command(services, chosen, stranger, "test:1", text)
    assert isinstance(reply, Pages) and chosen.quick
    body = reply.pages[0].body or ""
    assert body.startswith("Sorry, I can't find your account") and "made easy to follow" in body


async def test_consent_is_refused_to_a_teacher_in_plain_words(services: Services) -> None:
    chosen, text = command("/consent")
    refused = await run_command(services, chosen, as_person(TEACHER), "test:1", text)
    assert refused == Notice("Not done", consent.REFUSAL)
    opened = await run_command(services, chosen, as_person(OFFICE), "test:2", text)
    assert isinstance(opened, OpenForm) and opened.form.id == "consent_pick"


async def test_a_campaign_is_refused_to_a_teacher(services: Services, wakes: list[str]) -> None:
    chosen, text = command("/training", "campaign")
    refused = await run_command(services, chosen, as_person(TEACHER), "test:1", text)
    assert refused == Notice("Not done", CAMPAIGN_REFUSAL) and wakes == []
    opened = await run_command(services, chosen, as_person(COMMS), "test:2", text)
    assert isinstance(opened, OpenForm) and opened.form.id == "training_campaign"
    assert wakes == ["woken"]


async def test_an_out_of_date_button_is_refused_without_the_database(services: Services) -> None:
    button = DESK.button(PostAction.REJECT)
    assert button is not None
    refused = await run_button(services, button, as_person(COMMS), "t:1", "no version here")
    assert refused == Notice("Not done", "That button is out of date; please use the newest card.")
    opened = await run_button(services, button, as_person(COMMS), "t:2", "PR-2026-0001:v3")
    assert isinstance(opened, OpenForm)
    assert dict(opened.form.context) == {"ref": "PR-2026-0001", "version": "3"}


async def test_an_unexpected_failure_is_an_apology_with_a_reference(services: Services) -> None:
    button = DESK.button("declaration_end")  # needs the database, which fails here
    assert button is not None
    reply = await run_button(services, button, as_person(TEACHER), "t:1", "RD-2026-0001")
    assert isinstance(reply, Notice) and reply.text.startswith("Something went wrong (ref ")


async def test_field_errors_go_back_to_the_channel(services: Services) -> None:
    submit = DESK.submit(END_FORM)
    assert submit is not None
    with pytest.raises(FormInvalid) as raised:
        await run_submit(services, submit, as_person(TEACHER), "t:1", {"ref": "RD-1"}, {})
    assert "reason" in raised.value.errors


async def test_a_failed_submission_is_titled_by_its_form(services: Services) -> None:
    async def broken(
        _s: Services, _a: Asked, _c: Mapping[str, str], _v: Mapping[str, object]
    ) -> None:
        raise RuntimeError("the disk is full")

    reply = await run_submit(
        services, Submit("f", "broken", broken, failed="Not sent"), as_person(TEACHER), "k", {}, {}
    )
    assert isinstance(reply, Notice) and reply.title == "Not sent" and "ref " in reply.text


async def test_searches_find_nothing_for_strangers_and_staff_for_staff(
    services: Services,
) -> None:
    staff = DESK.search("subject_staff")
    assert staff is not None
    assert await run_search(services, staff, stranger, "whit", {}) == []
    found = await run_search(services, staff, as_person(TEACHER), "whit", {})
    assert COMMS in [o.value for o in found]
    people = DESK.search("training_person")
    assert people is not None
    assert await run_search(services, people, as_person(TEACHER), "whit", {}) == []
    assert COMMS in [o.value for o in await run_search(services, people, as_person(COMMS), "w", {})]
