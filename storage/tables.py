# SQLModel tables: reports and their recipients and notes, the outbox, the audit trail, chat ids.
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class ReportRow(SQLModel, table=True):
    __tablename__ = "misuse_report"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    reporter: str = Field(max_length=254, index=True)
    site_id: str = Field(max_length=64)
    category: str = Field(max_length=40)
    description: str = Field(sa_column=Column(Text, nullable=False))
    happened_on: date
    created_at: datetime = _when()
    ack_due_at: datetime = _when(index=True)
    platform: str | None = Field(default=None, max_length=60)
    subject_staff: str | None = Field(default=None, max_length=254)
    subject_name: str | None = Field(default=None, max_length=200)
    links: str | None = Field(default=None, sa_column=Column(Text))
    safeguarding: bool = False
    on_school_device: bool = False
    procedure: str | None = Field(default=None, max_length=100)
    restricted: bool = False
    status: str = Field(max_length=20, index=True)
    version: int = 1
    lead_level: str = Field(max_length=20)
    nudged_at: datetime | None = _when(nullable=True)
    escalate_due_at: datetime | None = _when(nullable=True)
    escalated_at: datetime | None = _when(nullable=True)
    acknowledged_at: datetime | None = _when(nullable=True)
    acknowledged_by: str | None = Field(default=None, max_length=254)
    closed_at: datetime | None = _when(nullable=True)
    closed_by: str | None = Field(default=None, max_length=254)
    outcome: str | None = Field(default=None, max_length=40)
    outcome_summary: str | None = Field(default=None, sa_column=Column(Text))


class RecipientRow(SQLModel, table=True):
    __tablename__ = "report_recipient"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="misuse_report.id", index=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=20)
    as_role: str = Field(max_length=40)
    site_id: str | None = Field(default=None, max_length=64)
    reason: str = Field(max_length=20)
    active: bool = True


class NoteRow(SQLModel, table=True):
    __tablename__ = "report_note"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="misuse_report.id", index=True)
    author: str = Field(max_length=254)
    text: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = _when()


class CounterRow(SQLModel, table=True):
    __tablename__ = "ref_counter"

    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    recipient: str = Field(max_length=254, index=True)
    thread: str | None = Field(default=None, max_length=300, index=True)
    replace: bool = False
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(max_length=12)  # pending | sending | sent | dead
    attempts: int = 0
    next_attempt_at: datetime = _when()
    lease_until: datetime | None = _when(nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    channel: str | None = Field(default=None, max_length=20)
    channel_ref: str | None = Field(default=None, max_length=200)
    created_at: datetime = _when()
    sent_at: datetime | None = _when(nullable=True)


class AuditRow(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    actor: str = Field(max_length=254)
    action: str = Field(max_length=60)
    record_type: str = Field(max_length=40)
    record_id: str = Field(max_length=60, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class ChatIdentityRow(SQLModel, table=True):
    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    email: str = Field(primary_key=True, max_length=254)
    channel: str = Field(primary_key=True, max_length=20)  # slack | teams
    user_id: str = Field(max_length=200)
    dm_channel: str | None = Field(default=None, max_length=200)
    updated_at: datetime = _when()
