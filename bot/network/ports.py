# What the network flows need from storage: the repository of network requests.
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.network.model import Kind, NetworkRequest, Status


class NetworkStore(Protocol):
    """Implemented by storage (storage/network.py), inside one unit of work."""

    async def next_ref(self, prefix: str, year: int) -> str:
        """The next reference of the year for a prefix, such as NW-2026-0001."""
        ...

    async def add(self, request: NetworkRequest, *, source_key: str) -> None: ...
    async def by_source_key(self, key: str) -> NetworkRequest | None: ...
    async def get(self, ref: str, *, for_update: bool = False) -> NetworkRequest | None: ...
    async def save(self, request: NetworkRequest) -> None: ...
    async def waiting(self, kind: Kind, statuses: Sequence[Status]) -> list[NetworkRequest]:
        """Requests of a kind in these statuses, oldest first."""
        ...

    async def made_by(self, email: str, *, limit: int = 10) -> list[NetworkRequest]:
        """The person's own requests, most recent first."""
        ...

    async def card_threads(self, thread_prefix: str) -> list[tuple[str, str]]:
        """Each (recipient, thread) of the cards sent in threads starting with this prefix."""
        ...

    async def for_upkeep(self, today: date) -> list[NetworkRequest]:
        """Requests still waiting, and applied platforms whose activity ended before `today`
        and whose IT provider was not yet asked to remove the access; oldest first."""
        ...
