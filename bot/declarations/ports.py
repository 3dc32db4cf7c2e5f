# What the declaration flows need from storage: the register of declarations.
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.declarations.model import Declaration
from bot.narrowing import Narrowing


class DeclarationStore(Protocol):
    async def next_ref(self, year: int) -> str:
        """The next reference, RD-YYYY-NNNN."""
        ...

    async def add(self, declaration: Declaration, *, source_key: str) -> None:
        """Insert a new declaration (sets `declaration.id`)."""
        ...

    async def by_source_key(self, key: str) -> Declaration | None:
        """The declaration a form submission made, when it was made before."""
        ...

    async def get(self, ref: str, *, for_update: bool = False) -> Declaration | None: ...

    async def save(self, declaration: Declaration) -> None: ...

    async def at_sites(self, site_ids: Sequence[str], *, include_ended: bool) -> list[Declaration]:
        """Declarations about pupils at these sites, newest first."""
        ...

    async def sent_to(self, email: str) -> list[Declaration]:
        """Declarations (at any site) this person was sent as a Safeguarding Lead, newest first."""
        ...

    async def made_by(self, email: str, *, include_ended: bool) -> list[Declaration]:
        """A member of staff's own declarations, newest first."""
        ...

    async def due_for_nudge(self, today: date) -> list[Declaration]:
        """Active declarations that are waiting for acknowledgement or past their yearly
        re-confirmation, and were not nudged today; on PostgreSQL, locked rows are skipped."""
        ...

    async def for_export(self, narrowing: Narrowing) -> list[Declaration]:
        """Declarations the narrowing keeps, newest first."""
        ...
