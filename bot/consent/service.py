# Consent register use cases: who may keep it, look-ups, recording a change (/consent), and the
# bulk import of a school's MIS export. A withdrawal creates take-down tasks (rule C1).
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.audit import audit_change, change_event
from bot.clock import Clock
from bot.consent.mis_csv import PupilRow, Refusal
from bot.consent.model import Consent, HistoryEntry, Pupil, Source, StaleRecord
from bot.consent.register import RegisterDiff, diff_register
from bot.directory import Directory
from bot.errors import FormInvalid, NotAllowed, NotFound
from bot.ports import UnitOfWork
from bot.tasks.service import TaskDeps, Withdrawal, create_takedowns
from bot.working_time import WorkingHours

log = logging.getLogger(__name__)
NOTHING_CHANGED = "Nothing has changed: tick or untick a box, or Cancel."


@dataclass(frozen=True)
class ConsentDeps:
    """What the consent flows need besides the unit of work."""

    directory: Directory
    clock: Clock
    hours: WorkingHours

    def today(self) -> date:
        return self.clock.now().astimezone(self.hours.zone).date()

    def tasks(self) -> TaskDeps:
        return TaskDeps(self.directory, self.clock, self.hours)


def register_sites(directory: Directory, email: str) -> list[str]:
    """The schools whose register this person keeps: every school for the Head of Comms, the
    schools where they are office staff for anyone else (least privilege: nobody else)."""
    if directory.holds(email, "head_of_comms"):
        return [s.id for s in directory.schools()]
    return [s.id for s in directory.schools() if directory.holds(email, "office", s.id)]


def may_keep(directory: Directory, email: str, site_id: str | None = None) -> bool:
    sites = register_sites(directory, email)
    return bool(sites) if site_id is None else site_id in sites


REFUSAL = (
    "The consent register is kept by each school's office and the Trust's Head of Comms, "
    "so I can't show it to you. If a parent or pupil has asked to change their consent, "
    "please pass it to your school office."
)


async def search(
    uow: UnitOfWork, deps: ConsentDeps, *, viewer: str, query: str, limit: int = 50
) -> list[Pupil]:
    """Pupils in the registers this person keeps whose names match the query."""
    sites = register_sites(deps.directory, viewer)
    if not sites or not query.strip():
        return []
    async with uow:
        return await uow.pupils.search(sites, query, limit)


async def look_up(
    uow: UnitOfWork, deps: ConsentDeps, *, viewer: str, pupil_id: int
) -> tuple[Pupil, list[HistoryEntry]]:
    """A pupil and every version of their record, for someone who keeps their register."""
    async with uow:
        pupil = _allowed(deps, viewer, await uow.pupils.get(pupil_id))
        return pupil, await uow.pupils.history(pupil_id)


@dataclass(frozen=True)
class Recorded:
    """The outcome of `record_change`; `created` is False for a resubmission of a change that
    was recorded already (then `takedowns` is 0)."""

    pupil: Pupil
    created: bool
    takedowns: int


async def record_change(
    uow: UnitOfWork,
    deps: ConsentDeps,
    *,
    pupil_id: int,
    actor: str,
    consent: Consent,
    changed_on: date,
    source: Source,
    note: str | None,
    seen_version: int,
    source_key: str,
) -> Recorded:
    """Record a new version of a pupil's consent, as a parent or pupil asked (rule C1), with
    take-down tasks for published posts it no longer covers. `seen_version` is the version the
    person was shown: a resubmitted form changes nothing, a form outdated by someone else's
    change is refused."""
    async with uow:
        pupil = _allowed(deps, actor, await uow.pupils.get(pupil_id, for_update=True))
        if pupil.version != seen_version:
            return await _resubmitted(uow, deps, pupil, actor, consent, seen_version)
        if consent == pupil.consent:
            raise FormInvalid({"consent": NOTHING_CHANGED})
        if changed_on > deps.today():
            raise FormInvalid({"changed_on": "The date of the change can't be in the future."})
        withdrawn = pupil.consent.withdrawn_in(consent)
        given = pupil.consent.given_in(consent)
        before = pupil.state()
        new = pupil.amended(consent=consent, consent_changed_on=changed_on, source=source)
        await uow.pupils.save(new, _entry(new, deps, actor, changed_on, source, note))
        await audit_change(
            uow.audit,
            deps.clock.now(),
            actor,
            "pupil.consent_changed",
            new,
            before=before,
            detail={
                "source_key": source_key,
                "withdrawn": [f"{m.value}_{s.value}" for m, s in withdrawn],
                "given": [f"{m.value}_{s.value}" for m, s in given],
            },
        )
        takedowns = await create_takedowns(
            uow, deps.tasks(), [Withdrawal(new, withdrawn, changed_on)], actor=actor
        )
        await uow.commit()
    log.info(
        "consent of pupil %s recorded as version %d (withdrawn=%d, take-downs=%d)",
        new.id,
        new.version,
        len(withdrawn),
        takedowns,
    )
    return Recorded(new, created=True, takedowns=takedowns)


async def _resubmitted(
    uow: UnitOfWork,
    deps: ConsentDeps,
    pupil: Pupil,
    actor: str,
    consent: Consent,
    seen_version: int,
) -> Recorded:
    """The same form came again after its change was recorded: answer as before. Otherwise
    someone else changed the record meanwhile: say so, and change nothing."""
    history = await uow.pupils.history(pupil.id)  # type: ignore[arg-type]
    ours = next((h for h in history if h.version == seen_version + 1), None)
    if ours and ours.recorded_by == actor and ours.consent == consent:
        return Recorded(pupil, created=False, takedowns=0)
    last = history[-1] if history else None
    who = deps.directory.display_name(last.recorded_by) if last else "someone"
    raise StaleRecord(
        f"{pupil.display_name}'s record was changed by {who} while you had it open, so "
        "nothing was recorded. Please look the pupil up again with /consent."
    )


def _allowed(deps: ConsentDeps, viewer: str, pupil: Pupil | None) -> Pupil:
    if pupil is None:
        raise NotFound("I can't find that pupil on the consent register.")
    if not may_keep(deps.directory, viewer, pupil.site_id):
        if not register_sites(deps.directory, viewer):
            raise NotAllowed(REFUSAL)
        raise NotFound("I can't find that pupil in a register you keep.")
    return pupil


def _entry(
    pupil: Pupil,
    deps: ConsentDeps,
    actor: str,
    changed_on: date | None,
    source: Source,
    note: str | None = None,
) -> HistoryEntry:
    return HistoryEntry(
        version=pupil.version,
        consent=pupil.consent,
        changed_on=changed_on,
        source=source,
        recorded_by=actor,
        recorded_at=deps.clock.now(),
        note=note,
        details=pupil.details(),
    )


@dataclass(frozen=True)
class ImportSummary:
    """What an import did. `kept` lists rows whose consent was not taken because a newer one
    was recorded with /consent; `not_in_file` counts pupils on the register the file lacks."""

    added: int
    changed: int
    unchanged: int
    refused: list[Refusal]
    takedowns: int
    not_in_file: int = 0
    kept: list[Refusal] = field(default_factory=list)
    dry_run: bool = False


async def import_register(
    uow: UnitOfWork,
    deps: ConsentDeps,
    *,
    site_id: str,
    rows: Iterable[PupilRow | Refusal],
    actor: str,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Bring a school's register in line with its MIS export, all in one transaction: new
    pupils are added, changed ones get a new version, each with a history row; unchanged rows
    write nothing; pupils missing from the file stay as they are. A narrowed consent creates
    take-down tasks. With `dry_run`, nothing is written."""
    site = deps.directory.site(site_id)
    if site is None or site.kind != "school":
        raise NotFound(f"There is no school with the id '{site_id}' in the directory.")
    today = deps.today()
    async with uow:
        current = await uow.pupils.by_site(site_id, for_update=not dry_run)
        diff = diff_register(current, rows, site_id=site_id, today=today, progress=progress)
        takedowns = 0
        if not dry_run:
            takedowns = await _write(uow, deps, diff, actor)
            await uow.commit()
    log.info(
        "consent import for %s%s: %d added, %d changed, %d unchanged, %d refused, %d kept, "
        "%d not in the file, %d take-down task(s)",
        site_id,
        " (dry run)" if dry_run else "",
        len(diff.added),
        len(diff.changed),
        diff.unchanged,
        len(diff.refused),
        len(diff.kept),
        diff.not_in_file,
        takedowns,
    )
    return ImportSummary(
        added=len(diff.added),
        changed=len(diff.changed),
        unchanged=diff.unchanged,
        refused=diff.refused,
        takedowns=takedowns,
        not_in_file=diff.not_in_file,
        kept=diff.kept,
        dry_run=dry_run,
    )


async def _write(uow: UnitOfWork, deps: ConsentDeps, diff: RegisterDiff, actor: str) -> int:
    """Store the versions an import makes, in bulk, with their audit events; returns how many
    take-down tasks it created."""
    source = Source.MIS_IMPORT

    def entry(pupil: Pupil) -> HistoryEntry:
        return _entry(pupil, deps, actor, diff.changed_on[pupil.mis_id], source)

    await uow.pupils.add_many([(p, entry(p)) for p in diff.added])
    await uow.pupils.save_many([(after, entry(after)) for _, after in diff.changed])
    now = deps.clock.now()
    await uow.audit.append_many(
        [change_event(now, actor, "pupil.imported", p, before=None) for p in diff.added]
        + [change_event(now, actor, "pupil.imported", a, before=b.state()) for b, a in diff.changed]
    )
    withdrawals = []
    for before, after in diff.changed:
        withdrawn = before.consent.withdrawn_in(after.consent)
        if withdrawn:
            withdrawals.append(Withdrawal(after, withdrawn, diff.changed_on[after.mis_id]))
    return await create_takedowns(uow, deps.tasks(), withdrawals, actor=actor)
