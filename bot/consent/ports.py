# What the consent flows need from storage: the repository of the consent register.
from __future__ import annotations

from typing import Protocol


class PupilStore(Protocol):
    """Implemented by storage; filled in with the consent flows."""
