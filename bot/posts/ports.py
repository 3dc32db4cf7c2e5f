# What the posts flows need from storage: the repository of post requests.
from __future__ import annotations

from typing import Protocol


class PostStore(Protocol):
    """Implemented by storage; filled in with the posts flows."""
