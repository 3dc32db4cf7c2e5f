# The /consent forms and words: ticked boxes, parsing, history lines, labels, confirmations.
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.consent import forms, messages
from bot.consent.model import Consent, HistoryEntry, Pupil, Source
from bot.directory import load_directory
from bot.errors import FormInvalid
from tests.e2e.harness import SAMPLE

DIRECTORY = load_directory(SAMPLE)
LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 24)


def amelia(**changes: object) -> Pupil:
    values: dict[str, object] = {
        "site_id": "willow",
        "mis_id": "WIL-1",
        "first_name": "Amelia",
        "last_name": "Hart",
        "date_of_birth": date(2016, 5, 1),
        "year_group": "Year 4",
        "consent": Consent(images_school=True, videos_school=True),
        "version": 2,
        "id": 41,
    }
    return Pupil(**(values | changes))  # type: ignore[arg-type]


def entry(version: int, consent: Consent, **changes: object) -> HistoryEntry:
    values: dict[str, object] = {
        "version": version,
        "consent": consent,
        "changed_on": date(2026, 9, version),
        "source": Source.MIS_IMPORT,
        "recorded_by": "k.holt@willow.example",
        "recorded_at": datetime(2026, 9, version, 10, tzinfo=UTC),
        "details": {"year_group": "Year 4", "first_name": "Amelia"},
    }
    return HistoryEntry(**(values | changes))  # type: ignore[arg-type]


def test_option_label_names_year_and_school() -> None:
    assert (
        messages.option_label(amelia(), DIRECTORY) == "Amelia Hart · Year 4 · Willow Primary School"
    )
    assert messages.option_label(amelia(year_group=None), DIRECTORY) == (
        "Amelia Hart · Willow Primary School"
    )


def test_change_form_ticks_the_consent_as_it_is_and_carries_the_pupil() -> None:
    form = forms.change_form(amelia(), [], DIRECTORY, LONDON, TODAY)
    assert form.field("consent").initial == ("images_school", "videos_school")
    assert form.field("changed_on").initial == "2026-11-24"
    assert dict(form.context) == {"pupil": "41", "version": "2"}
    assert "✓ Images on the school's accounts" in (form.intro or "")
    assert "✗ Videos on the Trust's accounts" in (form.intro or "")


def test_parse_change_reads_the_boxes_date_and_source() -> None:
    change = forms.parse_change(
        {"consent": ["images_school"], "changed_on": "2026-11-20", "how": "letter", "note": " "},
        {"pupil": "41", "version": "2"},
    )
    assert change.consent == Consent(images_school=True)
    assert (change.pupil_id, change.seen_version) == (41, 2)
    assert change.changed_on == date(2026, 11, 20) and change.source is Source.LETTER
    assert change.note is None


def test_unticking_everything_is_a_full_withdrawal() -> None:
    change = forms.parse_change(
        {"consent": [], "changed_on": "2026-11-20", "how": "email"}, {"pupil": "1", "version": "1"}
    )
    assert change.consent == Consent()


def test_parse_change_reports_every_problem() -> None:
    with pytest.raises(FormInvalid) as caught:
        forms.parse_change(
            {"consent": ["everything"], "changed_on": "soon", "note": "x" * 501},
            {"pupil": "1", "version": "1"},
        )
    assert set(caught.value.errors) == {"consent", "changed_on", "how", "note"}


def test_a_form_without_its_pupil_is_refused() -> None:
    with pytest.raises(FormInvalid):
        forms.parse_change({"changed_on": "2026-11-20", "how": "email"}, {})


def test_parse_pick_needs_a_chosen_pupil() -> None:
    assert forms.parse_pick({forms.PUPIL_FIELD: "41"}) == 41
    with pytest.raises(FormInvalid):
        forms.parse_pick({forms.PUPIL_FIELD: None})


def test_history_lines_say_what_changed_newest_first() -> None:
    history = [
        entry(1, Consent(True, True, True, True)),
        entry(
            2,
            Consent(images_school=True, videos_school=True),
            source=Source.LETTER,
            note="Parent's letter of 2 Sep",
        ),
        entry(
            3,
            Consent(images_school=True, videos_school=True),
            details={"year_group": "Year 5", "first_name": "Amelia"},
        ),
    ]
    text = messages.history_lines(history, DIRECTORY, LONDON)
    lines = text.splitlines()
    assert lines[0].startswith("3 Sep 2026 · Year group updated")
    assert "Withdrawn: images on the trust's accounts, videos on the trust's accounts" in lines[1]
    assert "letter · recorded by Karen Holt" in lines[1]
    assert "Note: Parent's letter of 2 Sep" in lines[2]
    assert lines[3].startswith("1 Sep 2026 · First recorded: yes: images")


def test_confirmation_counts_takedown_tasks() -> None:
    text = messages.confirmation(amelia(), created=True, takedowns=2)
    assert "Amelia H." in text and "2 take-down task(s)" in text
    again = messages.confirmation(amelia(), created=False, takedowns=0)
    assert "already recorded" in again
