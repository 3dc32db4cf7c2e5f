# What the network flows need from storage: the repository of network requests.
from __future__ import annotations

from collections.abc import Sequence
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

    async def card_holders(self, thread_prefix: str) -> list[str]:
        """Everyone who was sent a card in a thread starting with this prefix."""
        ...
