# The front desk on SQLite and PostgreSQL, with no chat platform: a report made through the desk's
# form, made once however often it is resubmitted, and acted on through its card's buttons.
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ManualClock
from bot.desk import desk
from bot.directory import DirectoryFile
from bot.front import Desk, Notice, OpenForm, Pages, run_button, run_command, run_submit
from bot.reports.form import NOTE_FORM, REPORT_FORM
from bot.reports.messages import ReportAction
from bot.services import Services
from bot.working_time import WorkingHours
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWork
from tests.e2e.harness import SAMPLE

LONDON = ZoneInfo("Europe/London")
MONDAY_10 = datetime(2026, 11, 23, 10, tzinfo=UTC)
TEACHER, HEAD = "d.hughes@willow.example", "s.thompson@willow.example"
OTHER_HEAD = "m.obrien@oakfield.example"
ANSWERS = {
    "category": "pupil_misuse",
    "platform": "Instagram",
    "happened_on": "2026-11-20",
    "description": "Unkind posts about a pupil.",
    "site_id": "willow",
}
DESK: Desk = desk()


@pytest.fixture
async def services(database_url: str) -> AsyncIterator[Services]:
    engine = create_engine(database_url)
    sessions, clock = session_factory(engine), ManualClock(MONDAY_10)
    yield Services(
        directory_file=DirectoryFile(SAMPLE),
        uow=lambda: SqlUnitOfWork(sessions, clock),
        clock=clock,
        hours=WorkingHours(LONDON, time(8), time(17), frozenset(range(5))),
        ack_hours=2,
        wake_outbox=lambda: None,
    )
    await engine.dispose()


def as_person(email: str) -> Any:
    async def resolve() -> str:
        return email

    return resolve


async def click(services: Services, email: str, action: str, value: str) -> Any:
    button = DESK.button(action)
    assert button is not None
    return await run_button(services, button, as_person(email), f"test:{email}", value)


async def test_a_report_through_the_desk_is_made_once_and_acted_on(services: Services) -> None:
    submit = DESK.submit(REPORT_FORM)
    assert submit is not None
    sent = [
        await run_submit(services, submit, as_person(TEACHER), "test:view:V1", {}, ANSWERS)
        for _ in range(2)
    ]
    assert sent[0] == sent[1], "a resubmitted form makes no second report"
    assert isinstance(sent[0], Notice) and sent[0].title == "Report sent"
    ref = re.search(r"MR-\d{4}-\d{4}", sent[0].text)
    assert ref is not None

    refused = await click(services, OTHER_HEAD, ReportAction.ADD_NOTE, ref.group(0))
    assert isinstance(refused, Notice) and "Something went wrong" not in refused.text
    opened = await click(services, HEAD, ReportAction.ADD_NOTE, ref.group(0))
    assert isinstance(opened, OpenForm) and opened.form.id == NOTE_FORM
    assert await click(services, HEAD, ReportAction.ACKNOWLEDGE, ref.group(0)) is None
    again = await click(services, HEAD, ReportAction.ACKNOWLEDGE, ref.group(0))
    assert isinstance(again, Notice), "a second click is refused in plain words"


async def test_the_declaration_register_is_pages_for_everyone(services: Services) -> None:
    found = DESK.command("/declare-relationship", "list")
    assert found is not None
    reply = await run_command(services, found[0], as_person(TEACHER), "test:1", found[1])
    assert isinstance(reply, Pages)
    assert [p.title for p in reply.pages] == ["Your declarations"]
