# Comparing a school's MIS export with its consent register: what to add, change and leave.
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot.consent.mis_csv import PupilRow, Refusal
from bot.consent.model import SOURCE_LABELS, Pupil, Source

PROGRESS_EVERY = 500


@dataclass
class RegisterDiff:
    """What an export would do to a site's register. `changed` pairs each record as it is with
    its next version; `kept` are rows whose consent was not taken (see `diff_register`)."""

    added: list[Pupil] = field(default_factory=list)
    changed: list[tuple[Pupil, Pupil]] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    kept: list[Refusal] = field(default_factory=list)
    not_in_file: int = 0
    changed_on: dict[str, date] = field(default_factory=dict)  # by MIS id: the history's date


def diff_register(
    current: Mapping[str, Pupil],
    rows: Iterable[PupilRow | Refusal],
    *,
    site_id: str,
    today: date,
    progress: Callable[[int], None] | None = None,
) -> RegisterDiff:
    """Compare rows of an export with the site's pupils (by MIS id). A version's date is the
    row's consent date, or today. Pupils missing from the file are only counted.

    A consent recorded with /consent (a letter, an e-mail, a form) is not overwritten by a row
    unless the row's consent date is later: an MIS that was not updated must not give back a
    consent that a parent withdrew. Such rows still update the other details and are listed in
    `kept`.
    """
    diff = RegisterDiff()
    seen: set[str] = set()
    done = 0
    for row in rows:
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
        if isinstance(row, Refusal):
            diff.refused.append(row)
            continue
        seen.add(row.mis_id)
        day = row.consent_date or today
        before = current.get(row.mis_id)
        if before is None:
            diff.added.append(_new_pupil(row, site_id, day))
            diff.changed_on[row.mis_id] = day
            continue
        after = _next_version(before, row, day, diff)
        if after.same_details(before):
            diff.unchanged += 1
        else:
            diff.changed.append((before, after))
            diff.changed_on[row.mis_id] = day
    if progress and done % PROGRESS_EVERY:
        progress(done % PROGRESS_EVERY)
    diff.not_in_file = sum(1 for mis_id in current if mis_id not in seen)
    return diff


def _new_pupil(row: PupilRow, site_id: str, day: date) -> Pupil:
    return Pupil(
        site_id=site_id,
        mis_id=row.mis_id,
        first_name=row.first_name,
        last_name=row.last_name,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        year_group=row.year_group,
        consent=row.consent,
        consent_changed_on=day,
        source=Source.MIS_IMPORT,
    )


def _next_version(before: Pupil, row: PupilRow, day: date, diff: RegisterDiff) -> Pupil:
    consent, changed_on, source = row.consent, before.consent_changed_on, before.source
    if consent != before.consent:
        if _recorded_later(before, row):
            consent = before.consent
            diff.kept.append(Refusal(row.line, _kept_reason(before)))
        else:
            changed_on, source = day, Source.MIS_IMPORT
    return before.amended(
        first_name=row.first_name,
        last_name=row.last_name,
        preferred_name=row.preferred_name,
        date_of_birth=row.date_of_birth,
        year_group=row.year_group,
        consent=consent,
        consent_changed_on=changed_on,
        source=source,
    )


def _recorded_later(before: Pupil, row: PupilRow) -> bool:
    """Whether the register holds a consent recorded by hand that is newer than the row's."""
    if before.source is Source.MIS_IMPORT:
        return False
    recorded = before.consent_changed_on
    return row.consent_date is None or recorded is None or row.consent_date <= recorded


def _kept_reason(before: Pupil) -> str:
    when = before.consent_changed_on.isoformat() if before.consent_changed_on else "an earlier day"
    return (
        f"consent not changed: a newer one was recorded in policybot ({when}, "
        f"{SOURCE_LABELS[before.source]}); please update the MIS, or record it with /consent"
    )
