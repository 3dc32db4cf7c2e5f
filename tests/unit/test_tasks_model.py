# Tasks: what a post needs consent for, who a task is for now, and what its messages say.
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.consent.model import Consent, Media, Pupil, Scope
from bot.directory import load_directory
from bot.tasks import messages
from bot.tasks.model import Exposure, Task, TaskKind, TaskStatus
from tests.e2e.harness import SAMPLE

DIRECTORY = load_directory(SAMPLE)
LONDON = ZoneInfo("Europe/London")
PUBLISHER = "d.hughes@willow.example"
COMMS = "h.whitfield@trust.example"
NOW = datetime(2026, 11, 24, 10, tzinfo=UTC)
PUPIL = Pupil(
    site_id="willow",
    mis_id="WIL-1",
    first_name="Amelia",
    last_name="Hart",
    date_of_birth=date(2008, 11, 20),
    year_group="Year 13",
    consent=Consent(),
    id=41,
)


def exposure(site_id: str = "willow", shows: str = "both") -> Exposure:
    return Exposure("PR-2026-0001", site_id, "willow-x", PUBLISHER, None, shows, 41)


def takedown(**changes: object) -> Task:
    task = Task(
        key="takedown:PR-2026-0001:41:2",
        kind=TaskKind.TAKEDOWN,
        site_id="willow",
        assignees=[PUBLISHER, COMMS],
        created_at=NOW,
        post_ref="PR-2026-0001",
        pupil_id=41,
        detail={
            "uses": ["images_school"],
            "changed_on": "2026-11-23",
            "published_by": PUBLISHER,
            "account_id": "willow-x",
        },
        id=7,
    )
    return replace(task, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("site_id", "shows", "uses"),
    [
        ("willow", "images", [(Media.IMAGES, Scope.SCHOOL)]),
        ("trust", "videos", [(Media.VIDEOS, Scope.TRUST)]),
        ("willow", "both", [(Media.IMAGES, Scope.SCHOOL), (Media.VIDEOS, Scope.SCHOOL)]),
        ("willow", "none", []),
    ],
)
def test_a_post_needs_consent_for_its_media_on_its_accounts(
    site_id: str, shows: str, uses: list[tuple[Media, Scope]]
) -> None:
    assert exposure(site_id, shows).uses() == uses


def test_a_takedown_is_for_the_publisher_and_the_head_of_comms() -> None:
    assert takedown().current_assignees(DIRECTORY) == [PUBLISHER, COMMS]


def test_a_publisher_who_left_the_directory_is_no_longer_asked() -> None:
    task = takedown(detail={"published_by": "gone@willow.example"})
    assert task.current_assignees(DIRECTORY) == [COMMS]


def test_consent_at_18_is_for_the_school_office() -> None:
    task = takedown(kind=TaskKind.CONSENT_AT_18, post_ref=None, detail={})
    assert task.current_assignees(DIRECTORY) == ["k.holt@willow.example"]
    assert replace(task, site_id="nowhere").current_assignees(DIRECTORY) == []


def test_notifications_never_name_the_pupil() -> None:
    at18 = takedown(kind=TaskKind.CONSENT_AT_18, post_ref=None, detail={})
    for task in (takedown(), at18):
        for message in (
            messages.task_card(task, PUPIL, DIRECTORY, LONDON),
            messages.nudge(task, PUPIL, DIRECTORY, LONDON),
        ):
            assert "Amelia" not in message.notification and "Hart" not in message.notification
            assert "Hart" not in str(message.to_dict()), "only the short name is shown"


def test_takedown_card_says_what_was_withdrawn_with_two_buttons() -> None:
    card = messages.task_card(takedown(), PUPIL, DIRECTORY, LONDON)
    assert "withdrawn or narrowed on 23 Nov 2026" in (card.body or "")
    assert "images on the school's accounts" in (card.body or "")
    assert ("Pupil", "Amelia H. (Year 13)") in card.facts
    assert ("Account", "X @WillowPrimary") in card.facts
    assert [a.label for a in card.actions] == ["Taken down", "Not practicable"]
    assert {a.value for a in card.actions} == {"7"}


def test_at18_card_words() -> None:
    task = takedown(kind=TaskKind.CONSENT_AT_18, post_ref=None, detail={})
    card = messages.task_card(task, PUPIL, DIRECTORY, LONDON)
    assert card.body == (
        "Amelia H. (Year 13) turned 18 on 20 Nov 2026: ask them for their own consent and "
        "record it with /consent."
    )
    assert [a.label for a in card.actions] == ["Done"]


def test_a_closed_card_has_no_buttons_and_says_who_closed_it() -> None:
    closed = takedown(
        status=TaskStatus.NOT_PRACTICABLE, done_by=COMMS, done_at=NOW, reason="Printed"
    )
    card = messages.task_card(closed, PUPIL, DIRECTORY, LONDON)
    assert not card.actions
    assert card.body == "Marked not practicable by Hannah Whitfield on 24 Nov 2026. Reason: Printed"
    assert "Hannah Whitfield on 24 Nov 2026" in messages.already_closed(closed, DIRECTORY, LONDON)
