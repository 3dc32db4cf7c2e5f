# Audit events: who did what, when, to which record, with the state before and after.
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
