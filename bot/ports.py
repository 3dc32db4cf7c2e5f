# Ports: what the domain needs from storage, as small protocols that storage implements.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from bot.abuse.ports import AbuseStore
from bot.access.ports import AccessStore
from bot.approvals import Delegation
from bot.audit import AuditEvent
from bot.consent.ports import PupilStore
from bot.declarations.ports import DeclarationStore
from bot.network.ports import NetworkStore
from bot.outbox import OutboxItem
from bot.oversight.ports import OversightStore
from bot.policy.ports import PolicyStore
from bot.posts.ports import PostStore
from bot.reports.model import MisuseReport
from bot.retention.ports import RetentionStore
from bot.tasks.ports import TaskStore
from bot.training.ports import TrainingStore


class ReportStore(Protocol):
    async def next_ref(self, year: int) -> str: ...
    async def add(self, report: MisuseReport, *, source_key: str) -> None: ...
    async def by_source_key(self, key: str) -> MisuseReport | None: ...
    async def get(self, ref: str, *, for_update: bool = False) -> MisuseReport | None: ...
    async def save(self, report: MisuseReport) -> None: ...
    async def due_for_nudge(self, now: datetime) -> list[MisuseReport]: ...
    async def due_for_escalation(self, now: datetime) -> list[MisuseReport]: ...
    async def waiting_for(self, email: str) -> list[MisuseReport]: ...
    async def made_by(self, email: str, *, limit: int = 10) -> list[MisuseReport]: ...
    async def involving(self, email: str) -> list[MisuseReport]:
        """Every report this person made or that is about them, oldest first (a subject
        access request)."""
        ...

    async def for_export(
        self,
        *,
        sites: Sequence[str] | None,
        seen_by: str | None,
        since: datetime | None,
        until: datetime | None,
    ) -> list[MisuseReport]:
        """Reports made in [since, until) (None: open-ended) at these sites (None: any), oldest
        first; with `seen_by`, only those that person made or was sent (an export's superset)."""
        ...


class Outbox(Protocol):
    async def add(self, item: OutboxItem) -> bool:
        """Queue a message; False when one with the same key was queued before."""
        ...

    async def deliveries(self, keys: Sequence[str]) -> dict[str, Delivery]:
        """How the messages queued with these keys are getting on, by key (one query; keys
        with no message are left out)."""
        ...


@dataclass(frozen=True)
class Delivery:
    """An outbox item's state: pending, sending, sent or dead; when it was sent; why it failed."""

    status: str
    sent_at: datetime | None
    last_error: str | None


class AuditLog(Protocol):
    async def append(self, event: AuditEvent) -> None: ...
    async def append_many(self, events: Sequence[AuditEvent]) -> None:
        """Many events in one statement (a bulk import)."""
        ...

    async def by_actor(self, actor: str) -> list[AuditEvent]:
        """Every event this person did, oldest first (a subject access request)."""
        ...


@dataclass(frozen=True)
class ChatIdentity:
    """A person's id on a chat platform, and their direct-message channel when known. On
    Teams also where that chat is served (`service_url`, regional), their Microsoft Entra
    object id and tenant: what a proactive message or a new 1:1 chat needs."""

    email: str
    user_id: str
    dm_channel: str | None
    service_url: str | None = None
    aad_object_id: str | None = None
    tenant_id: str | None = None
    last_seen_at: datetime | None = None


class IdentityStore(Protocol):
    async def get(self, channel: str, email: str) -> ChatIdentity | None: ...
    async def email_for(self, channel: str, user_id: str) -> str | None: ...
    async def remember(
        self,
        channel: str,
        email: str,
        user_id: str,
        now: datetime,
        *,
        dm: str | None = None,
        service_url: str | None = None,
        aad_object_id: str | None = None,
        tenant_id: str | None = None,
        seen: bool = False,
    ) -> None:
        """Store (or correct) a person's id; given values replace stored ones; `seen` records
        that they used this channel at `now`."""
        ...

    async def forget_dm(self, channel: str, email: str) -> None:
        """The stored direct-message channel no longer works (the app was removed)."""
        ...

    async def seen(self, channel: str, email: str, now: datetime) -> None:
        """Record that the person used this channel at `now` (for choosing their channel)."""
        ...

    async def last_seen(self, email: str) -> dict[str, datetime | None]:
        """When the person last used each channel they have an identity on."""
        ...


class DelegationStore(Protocol):
    async def add(self, delegation: Delegation) -> Delegation: ...
    async def active(self, today: date) -> list[Delegation]: ...
    async def end(self, delegation_id: int, *, by: str, at: datetime) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction: nothing is kept unless `commit` is called."""

    reports: ReportStore
    outbox: Outbox
    audit: AuditLog
    pupils: PupilStore
    posts: PostStore
    tasks: TaskStore
    access: AccessStore
    delegations: DelegationStore
    declarations: DeclarationStore
    training: TrainingStore
    oversight: OversightStore
    policy: PolicyStore
    retention: RetentionStore
    abuse: AbuseStore
    network: NetworkStore

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
