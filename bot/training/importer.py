# Importing a training platform's export: new completions added in one transaction, the same
# file twice adding nothing.
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.ports import UnitOfWork
from bot.training.model import Completion, Source
from bot.training.platform_csv import CompletionRow, Refusal
from bot.training.service import TrainingDeps, recorded_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, on a dry run, would do). `unchanged` counts rows already on
    record, or given twice in the file; `refused` lists the rows not taken, with why."""

    added: int
    unchanged: int
    refused: list[Refusal] = field(default_factory=list)
    dry_run: bool = False


async def import_completions(
    uow: UnitOfWork,
    deps: TrainingDeps,
    *,
    rows: Iterable[CompletionRow | Refusal],
    actor: str,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Add the file's completions that are not on record yet, all at once or not at all; each
    with an audit event. People who are trained and in date again have their nudges reset.
    With `dry_run`, nothing is written."""
    taken: list[CompletionRow] = []
    refused: list[Refusal] = []
    for row in rows:
        if isinstance(row, Refusal):
            refused.append(row)
        else:
            taken.append(row)
        if progress:
            progress(1)
    now = deps.clock.now()
    async with uow:
        known = await uow.training.recorded(sorted({row.email for row in taken}))
        new: list[Completion] = []
        for row in taken:
            key = (row.email, row.course, row.completed_on)
            if key in known:
                continue
            known.add(key)
            new.append(
                Completion(
                    email=row.email,
                    course=row.course,
                    completed_on=row.completed_on,
                    certificate_url=row.certificate_url,
                    source=Source.IMPORT,
                    recorded_by=actor,
                    recorded_at=now,
                )
            )
        if new and not dry_run:
            await uow.training.add_many(new)
            trained = await _trained_again(uow, deps, sorted({c.email for c in new}))
            await uow.training.reset_nudges(sorted(trained))
            await uow.audit.append_many(
                [recorded_event(c, nudges_reset=c.email in trained) for c in new]
            )
            await uow.commit()
    log.info(
        "training import%s: %d added, %d unchanged, %d refused",
        " (dry run)" if dry_run else "",
        len(new),
        len(taken) - len(new),
        len(refused),
    )
    return ImportSummary(len(new), len(taken) - len(new), refused, dry_run)


async def _trained_again(uow: UnitOfWork, deps: TrainingDeps, emails: list[str]) -> set[str]:
    latest = await uow.training.latest_days()
    campaigns = await uow.training.campaigns()
    return {e for e in emails if not deps.status(e, latest.get(e), campaigns).due}
