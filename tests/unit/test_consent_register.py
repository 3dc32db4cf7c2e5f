# Comparing an MIS export with a register: added, changed, unchanged, refused, kept, absent.
from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.consent.mis_csv import PupilRow, Refusal
from bot.consent.model import Consent, Pupil, Source
from bot.consent.register import diff_register

TODAY = date(2026, 11, 24)
ALL = Consent(True, True, True, True)


def row(mis_id: str, line: int = 2, **changes: object) -> PupilRow:
    values: dict[str, object] = {
        "line": line,
        "mis_id": mis_id,
        "first_name": "Bramble",
        "last_name": "Thistlewick",
        "preferred_name": None,
        "date_of_birth": date(2018, 3, 3),
        "year_group": "Year 3",
        "consent": ALL,
        "consent_date": date(2026, 9, 3),
    }
    return PupilRow(**(values | changes))  # type: ignore[arg-type]


def on_register(mis_id: str, **changes: object) -> Pupil:
    values: dict[str, object] = {
        "site_id": "willow",
        "mis_id": mis_id,
        "first_name": "Bramble",
        "last_name": "Thistlewick",
        "date_of_birth": date(2018, 3, 3),
        "year_group": "Year 3",
        "consent": ALL,
        "consent_changed_on": date(2026, 9, 3),
        "version": 1,
        "id": int(mis_id[1:]),
    }
    return Pupil(**(values | changes))  # type: ignore[arg-type]


def diff(current: list[Pupil], rows: list[PupilRow | Refusal]):  # type: ignore[no-untyped-def]
    return diff_register({p.mis_id: p for p in current}, rows, site_id="willow", today=TODAY)


def test_new_rows_are_added_as_first_versions() -> None:
    result = diff([], [row("A1"), row("A2", consent_date=None)])
    assert [p.mis_id for p in result.added] == ["A1", "A2"]
    assert all(p.version == 1 and p.source is Source.MIS_IMPORT for p in result.added)
    assert result.changed_on == {"A1": date(2026, 9, 3), "A2": TODAY}
    assert result.added[1].consent_changed_on == TODAY


def test_identical_rows_are_unchanged_and_write_nothing() -> None:
    result = diff([on_register("A1")], [row("A1", consent_date=date(2026, 10, 1))])
    assert result.unchanged == 1 and not result.added and not result.changed


def test_a_changed_year_group_makes_a_new_version_keeping_the_consent_date() -> None:
    result = diff([on_register("A1")], [row("A1", year_group="Year 4", consent_date=None)])
    [(before, after)] = result.changed
    assert before.version == 1 and after.version == 2 and after.year_group == "Year 4"
    assert after.consent_changed_on == date(2026, 9, 3)
    assert result.changed_on["A1"] == TODAY


def test_a_withdrawal_in_the_export_is_taken_with_its_date() -> None:
    withdrawn = Consent(images_school=True)
    result = diff(
        [on_register("A1")], [row("A1", consent=withdrawn, consent_date=date(2026, 11, 2))]
    )
    [(before, after)] = result.changed
    assert after.consent == withdrawn and after.consent_changed_on == date(2026, 11, 2)
    assert before.consent.withdrawn_in(after.consent)


def test_refusals_pass_through_and_absent_pupils_are_only_counted() -> None:
    refused = Refusal(3, "date_of_birth is empty")
    result = diff([on_register("A1"), on_register("A2"), on_register("A3")], [row("A1"), refused])
    assert result.refused == [refused]
    assert result.not_in_file == 2 and result.unchanged == 1


def test_a_newer_change_recorded_by_hand_is_not_overwritten() -> None:
    letter = on_register(
        "A1", consent=Consent(), consent_changed_on=date(2026, 11, 1), source=Source.LETTER
    )
    result = diff([letter], [row("A1", line=7, year_group="Year 4", consent_date=date(2026, 9, 3))])
    [(_, after)] = result.changed
    assert after.consent == Consent() and after.source is Source.LETTER
    assert after.year_group == "Year 4"
    [kept] = result.kept
    assert kept.line == 7 and "2026-11-01" in kept.reason and "letter" in kept.reason


def test_a_later_consent_in_the_export_wins_over_one_recorded_by_hand() -> None:
    letter = on_register(
        "A1", consent=Consent(), consent_changed_on=date(2026, 11, 1), source=Source.LETTER
    )
    result = diff([letter], [row("A1", consent_date=date(2026, 11, 20))])
    [(_, after)] = result.changed
    assert after.consent == ALL and after.source is Source.MIS_IMPORT and not result.kept


def test_progress_counts_every_row_once() -> None:
    seen: list[int] = []
    rows: list[PupilRow | Refusal] = [row(f"A{n}") for n in range(1203)]
    diff_register({}, rows, site_id="willow", today=TODAY, progress=seen.append)
    assert sum(seen) == 1203 and len(seen) == 3


def test_the_register_is_not_mutated() -> None:
    before = on_register("A1")
    copy = replace(before)
    diff([before], [row("A1", year_group="Year 6")])
    assert before == copy
