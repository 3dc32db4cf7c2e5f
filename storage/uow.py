# The unit of work: one session and transaction, rolled back unless committed.
from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from storage.abuse import SqlAbuseStore
from storage.access import SqlAccessStore
from storage.audit import SqlAuditLog
from storage.declarations import SqlDeclarationStore
from storage.delegations import SqlDelegationStore
from storage.network import SqlNetworkStore
from storage.outbox import SqlOutbox
from storage.oversight import SqlOversightStore
from storage.policy import SqlPolicyStore
from storage.posts import SqlPostStore
from storage.pupils import SqlPupilStore
from storage.reports import SqlReportStore
from storage.retention import SqlRetentionStore
from storage.tasks import SqlTaskStore
from storage.training import SqlTrainingStore


class SqlUnitOfWork:
    """Implements bot.ports.UnitOfWork. Use once: `async with uow: ...; await uow.commit()`."""

    reports: SqlReportStore
    outbox: SqlOutbox
    audit: SqlAuditLog
    pupils: SqlPupilStore
    posts: SqlPostStore
    tasks: SqlTaskStore
    access: SqlAccessStore
    delegations: SqlDelegationStore
    declarations: SqlDeclarationStore
    training: SqlTrainingStore
    oversight: SqlOversightStore
    policy: SqlPolicyStore
    retention: SqlRetentionStore
    abuse: SqlAbuseStore
    network: SqlNetworkStore

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.reports = SqlReportStore(self._session)
        self.outbox = SqlOutbox(self._session, self._clock.now())
        self.audit = SqlAuditLog(self._session)
        self.pupils = SqlPupilStore(self._session)
        self.posts = SqlPostStore(self._session)
        self.tasks = SqlTaskStore(self._session)
        self.access = SqlAccessStore(self._session)
        self.delegations = SqlDelegationStore(self._session)
        self.declarations = SqlDeclarationStore(self._session)
        self.training = SqlTrainingStore(self._session)
        self.oversight = SqlOversightStore(self._session)
        self.policy = SqlPolicyStore(self._session)
        self.retention = SqlRetentionStore(self._session)
        self.abuse = SqlAbuseStore(self._session)
        self.network = SqlNetworkStore(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._session.rollback()
        await self._session.close()

    async def commit(self) -> None:
        """Chain the audit events written meanwhile (taking the chain's lock), then commit."""
        await self.audit.seal()
        await self._session.commit()
