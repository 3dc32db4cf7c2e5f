# Retention: how long each kind of record is kept, and the daily pass that removes the rest.
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Self

from bot.audit import AuditEvent
from bot.ports import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each record is kept, counted from when it stopped being live (see README)."""

    reports_days: int  # misuse reports, after they were closed
    safeguarding_days: int  # reports marked as safeguarding concerns, after they were closed
    posts_days: int  # post approvals, after the date the post was due to go out
    declarations_days: int  # relationship declarations, after they ended
    training_days: int  # training completions, after the course was completed
    audit_days: int  # audit events, after they were written
    abuse_log_days: int  # the abuse log, after an entry is closed


@dataclass(frozen=True)
class Cutoffs:
    """Records from before these moments have passed their retention (strictly before: a
    record exactly `days` old is kept for that day)."""

    reports: datetime
    safeguarding: datetime
    posts: datetime
    declarations: datetime
    training: date
    audit: datetime
    abuse_log: datetime

    @classmethod
    def at(cls, now: datetime, today: date, policy: RetentionPolicy) -> Self:
        def ago(days: int) -> datetime:
            return now - timedelta(days=days)

        return cls(
            reports=ago(policy.reports_days),
            safeguarding=ago(policy.safeguarding_days),
            posts=ago(policy.posts_days),
            declarations=ago(policy.declarations_days),
            training=today - timedelta(days=policy.training_days),
            audit=ago(policy.audit_days),
            abuse_log=ago(policy.abuse_log_days),
        )


async def apply_retention(
    uow: UnitOfWork, policy: RetentionPolicy, *, now: datetime, today: date, key: str
) -> dict[str, int]:
    """Remove every record past its retention in one transaction, and say so in the audit
    trail (counts, cutoffs, and the anchor of the pruned audit prefix). Returns how many
    records were removed or redacted, by kind; the audit event is written even when none
    were."""
    cut = Cutoffs.at(now, today, policy)
    async with uow:
        store = uow.retention
        counts = {
            "reports_redacted": await store.redact_reports(
                closed_before=cut.reports, safeguarding_closed_before=cut.safeguarding, at=now
            ),
            "posts_deleted": await store.delete_posts(due_before=cut.posts),
            "declarations_deleted": await store.delete_declarations(ended_before=cut.declarations),
            "training_deleted": await store.delete_training(completed_before=cut.training),
            "abuse_log_deleted": await store.prune_abuse_log(before=cut.abuse_log),
        }
        pruned = await store.prune_audit(before=cut.audit)
        counts["audit_pruned"] = pruned.count
        detail: dict[str, Any] = {
            **counts,
            "cutoffs": {k: v.isoformat() for k, v in asdict(cut).items()},
        }
        if pruned.count:
            detail["audit_anchor"] = {"id": pruned.anchor_id, "hash": pruned.anchor_hash}
        await uow.audit.append(
            AuditEvent(now, "system", "retention.applied", "retention", key, None, None, detail)
        )
        await uow.commit()
    log.info("retention %s: %s", key, counts)
    return counts


async def retention_due(
    uow: UnitOfWork, policy: RetentionPolicy, *, now: datetime, today: date
) -> dict[str, int]:
    """A dry run: how many records `apply_retention` would remove or redact now, by kind (the
    same keys), counted by the same criteria. Nothing is written, not even the audit trail."""
    cut = Cutoffs.at(now, today, policy)
    async with uow:
        store = uow.retention
        return {
            "reports_redacted": await store.count_reports(
                closed_before=cut.reports, safeguarding_closed_before=cut.safeguarding
            ),
            "posts_deleted": await store.count_posts(due_before=cut.posts),
            "declarations_deleted": await store.count_declarations(ended_before=cut.declarations),
            "training_deleted": await store.count_training(completed_before=cut.training),
            "abuse_log_deleted": await store.count_abuse_log(before=cut.abuse_log),
            "audit_pruned": await store.count_audit(before=cut.audit),
        }
