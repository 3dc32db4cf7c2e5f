# Audit events: who did what, when, to which record, with the state before and after.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class AuditEvent:
    """One entry of the append-only audit trail. `before`/`after` hold state, never free text
    written about a person."""

    at: datetime
    actor: str  # an e-mail, or "system"
    action: str
    record_type: str
    record_id: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class AuditSink(Protocol):
    async def append(self, event: AuditEvent) -> None: ...


async def record(
    sink: AuditSink,
    at: datetime,
    actor: str,
    action: str,
    record: tuple[str, str],
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append one event about `record` (its type and id) to the trail."""
    await sink.append(
        AuditEvent(
            at=at,
            actor=actor,
            action=action,
            record_type=record[0],
            record_id=record[1],
            before=before,
            after=after,
            detail=dict(detail or {}),
        )
    )


class Audited(Protocol):
    """A record the trail can describe: its type and id, and its state (ids and flags only)."""

    @property
    def audit_key(self) -> tuple[str, str]: ...

    def state(self) -> Mapping[str, Any]: ...


def change_event(
    at: datetime,
    actor: str,
    action: str,
    item: Audited,
    *,
    before: Mapping[str, Any] | None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """The event for a change to `item`: its state now is `after`."""
    record_type, record_id = item.audit_key
    return AuditEvent(
        at=at,
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=record_id,
        before=dict(before) if before is not None else None,
        after=dict(item.state()),
        detail=dict(detail or {}),
    )


async def audit_change(
    sink: AuditSink,
    at: datetime,
    actor: str,
    action: str,
    item: Audited,
    *,
    before: Mapping[str, Any] | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append the event for a change to `item` to the trail."""
    await sink.append(change_event(at, actor, action, item, before=before, detail=detail))
