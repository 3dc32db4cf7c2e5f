# What the access flows need from storage: authorised posters, account requests.
from __future__ import annotations

from typing import Protocol


class AccessStore(Protocol):
    """Implemented by storage; filled in with the access flows."""
