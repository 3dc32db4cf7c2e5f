# SQLModel tables: every record, the outbox, the audit trail, chat ids and scheduler state.
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
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
    redacted_at: datetime | None = _when(nullable=True)  # its text removed under retention


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
    via: str = Field(default="chat", max_length=10)  # chat | email
    priority: int = 1  # 0 urgent (safeguarding, reports), 1 normal, 2 bulk (campaigns, nudges)
    mail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # e-mail addresses
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(max_length=12)  # pending | sending | sent | dead
    attempts: int = 0
    next_attempt_at: datetime = _when()
    lease_until: datetime | None = _when(nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
    channel: str | None = Field(default=None, max_length=20)
    channel_ref: str | None = Field(default=None, max_length=200, index=True)
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
    prev_hash: str = Field(max_length=64)  # the hash of the event before (bot.audit_chain)
    hash: str = Field(max_length=64)  # SHA-256 of this event's fields and prev_hash


class AuditChainRow(SQLModel, table=True):
    """The chain's one row (id 1): its head, and the anchor left by retention. Appenders lock
    it, so events are chained one transaction at a time on every replica."""

    __tablename__ = "audit_chain"

    id: int = Field(primary_key=True)
    head_id: int = 0  # the last event written (0: none yet)
    head_hash: str = Field(max_length=64)
    anchor_id: int = 0  # events up to this id were pruned by retention
    anchor_hash: str = Field(max_length=64)  # the hash of the last pruned event (or genesis)
    pruned: int = 0  # events pruned so far


class ChatIdentityRow(SQLModel, table=True):
    __tablename__ = "chat_identity"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    email: str = Field(primary_key=True, max_length=254)
    channel: str = Field(primary_key=True, max_length=20)  # slack | teams
    user_id: str = Field(max_length=200)
    dm_channel: str | None = Field(default=None, max_length=200)  # Slack DM / Teams 1:1 chat
    service_url: str | None = Field(default=None, max_length=500)  # Teams: where to reach it
    aad_object_id: str | None = Field(default=None, max_length=64)  # Teams: Entra object id
    tenant_id: str | None = Field(default=None, max_length=64)  # Teams
    last_seen_at: datetime | None = _when(nullable=True)  # last turn the person took there
    updated_at: datetime = _when()


# --- the consent register (C1, C2) ---


class PupilRow(SQLModel, table=True):
    __tablename__ = "pupil"
    __table_args__ = (UniqueConstraint("site_id", "mis_id"),)

    id: int | None = Field(default=None, primary_key=True)
    site_id: str = Field(max_length=64, index=True)
    mis_id: str = Field(max_length=40)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    preferred_name: str | None = Field(default=None, max_length=100)
    search_name: str = Field(max_length=320, index=True)  # lower-case names, for look-ups
    date_of_birth: date = Field(index=True)
    year_group: str | None = Field(default=None, max_length=20)
    images_school: bool = False
    videos_school: bool = False
    images_trust: bool = False
    videos_trust: bool = False
    consent_changed_on: date | None = None
    source: str = Field(max_length=20)
    version: int = 1
    updated_at: datetime = _when()


class ConsentHistoryRow(SQLModel, table=True):
    """Every version of a pupil's record as it was recorded (append-only in the database)."""

    __tablename__ = "consent_history"
    __table_args__ = (UniqueConstraint("pupil_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", index=True)
    version: int
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    preferred_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date
    year_group: str | None = Field(default=None, max_length=20)
    images_school: bool = False
    videos_school: bool = False
    images_trust: bool = False
    videos_trust: bool = False
    changed_on: date | None = None
    source: str = Field(max_length=20)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = _when()
    note: str | None = Field(default=None, max_length=500)


# --- post approval requests (A2-A5) ---


class PostRow(SQLModel, table=True):
    __tablename__ = "post_request"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    requester: str = Field(max_length=254, index=True)
    account_id: str = Field(max_length=64)
    site_id: str = Field(max_length=64)  # the account's site, or "trust"
    objective: str = Field(max_length=30)
    status: str = Field(max_length=20, index=True)
    version: int = 1  # the current version of the text
    revision: int = 1  # bumps on every change, so cards refresh once per change
    created_at: datetime = _when()
    submitted_at: datetime = _when()  # when the current version was submitted
    publish_at: datetime = _when(index=True)  # of the current version
    nudged_at: datetime | None = _when(nullable=True)
    decided_at: datetime | None = _when(nullable=True)
    published_at: datetime | None = _when(nullable=True)
    published_by: str | None = Field(default=None, max_length=254)
    published_url: str | None = Field(default=None, max_length=500)


class PostVersionRow(SQLModel, table=True):
    """One submitted version of a request: never changed once written."""

    __tablename__ = "post_version"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post_request.id", index=True)
    number: int
    source_key: str = Field(max_length=200, unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    publish_at: datetime = _when()
    media_links: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    shows: str = Field(max_length=20)  # none | images | videos | both
    confirmations: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    findings: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    submitted_at: datetime = _when()
    submitted_by: str = Field(max_length=254)


class PostPupilRow(SQLModel, table=True):
    """A pupil shown in a version of a post: what a consent withdrawal searches."""

    __tablename__ = "post_pupil"

    post_id: int = Field(foreign_key="post_request.id", primary_key=True)
    version: int = Field(primary_key=True)
    pupil_id: int = Field(foreign_key="pupil.id", primary_key=True, index=True)
    blurred: bool = False


class SignOffRow(SQLModel, table=True):
    """A decision on one version by one approver slot (Head of Comms, Headteacher, ELT)."""

    __tablename__ = "post_signoff"
    __table_args__ = (UniqueConstraint("post_id", "version", "slot"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: int = Field(foreign_key="post_request.id", index=True)
    version: int
    slot: str = Field(max_length=20)
    email: str = Field(max_length=254)
    on_behalf_of: str | None = Field(default=None, max_length=254)
    decision: str = Field(max_length=20)  # approved | changes | rejected
    comment: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = _when()


class DelegationRow(SQLModel, table=True):
    """An approver away: their sign-offs for a role go to a named colleague until a date."""

    __tablename__ = "delegation"

    id: int | None = Field(default=None, primary_key=True)
    from_email: str = Field(max_length=254, index=True)
    to_email: str = Field(max_length=254, index=True)
    role: str = Field(max_length=40)
    until: date
    created_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)
    ended_by: str | None = Field(default=None, max_length=254)


# --- tasks: take-downs after a consent withdrawal (C1), consent at 18 (C2) ---


class TaskRow(SQLModel, table=True):
    __tablename__ = "task"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # one task per cause, however often it runs
    kind: str = Field(max_length=30)
    site_id: str = Field(max_length=64)
    assignees: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    post_ref: str | None = Field(default=None, max_length=20, index=True)
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id", index=True)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=20, index=True)  # open | done | not_practicable
    created_at: datetime = _when()
    nudged_on: date | None = None
    done_at: datetime | None = _when(nullable=True)
    done_by: str | None = Field(default=None, max_length=254)
    reason: str | None = Field(default=None, sa_column=Column(Text))


# --- authorised posters and new accounts (A1, A6) ---


class PosterGrantRow(SQLModel, table=True):
    """A request for, and then the record of, someone's right to post on an account."""

    __tablename__ = "poster_grant"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    account_id: str = Field(max_length=64, index=True)
    email: str = Field(max_length=254, index=True)
    requested_by: str = Field(max_length=254)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(max_length=20, index=True)  # requested | active | refused | revoked
    comms_by: str | None = Field(default=None, max_length=254)
    comms_at: datetime | None = _when(nullable=True)
    head_by: str | None = Field(default=None, max_length=254)
    head_at: datetime | None = _when(nullable=True)
    created_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    closed_by: str | None = Field(default=None, max_length=254)
    closed_reason: str | None = Field(default=None, sa_column=Column(Text))


class AccountRequestRow(SQLModel, table=True):
    """A proposed new official account, for the Head of Comms' consultation (section 2)."""

    __tablename__ = "account_request"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    requester: str = Field(max_length=254, index=True)
    site_id: str = Field(max_length=64)
    platform: str = Field(max_length=30)
    handle: str = Field(max_length=100)
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    audience: str = Field(sa_column=Column(Text, nullable=False))
    runners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=20, index=True)  # requested | approved | declined
    created_at: datetime = _when()
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = _when(nullable=True)
    comment: str | None = Field(default=None, sa_column=Column(Text))


class SocialAccountRow(SQLModel, table=True):
    """An official account added through an approved request (alongside the directory's)."""

    __tablename__ = "social_account"

    id: str = Field(primary_key=True, max_length=64)
    site_id: str = Field(max_length=64)
    platform: str = Field(max_length=30)
    handle: str = Field(max_length=100)
    created_at: datetime = _when()
    from_request: str | None = Field(default=None, max_length=20)


# --- relationship declarations (D1) ---


class DeclarationRow(SQLModel, table=True):
    """A member of staff's declared connection with a pupil; seen only by the Safeguarding
    Leads of the pupil's site and by the member of staff."""

    __tablename__ = "declaration"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    declarer: str = Field(max_length=254, index=True)
    site_id: str = Field(max_length=64, index=True)
    pupil_id: int | None = Field(default=None, foreign_key="pupil.id", index=True)
    pupil_name: str = Field(max_length=200)
    relationship: str = Field(max_length=20)
    description: str | None = Field(default=None, max_length=200)
    platforms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    since: date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    leads: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mail: str = Field(max_length=20)
    status: str = Field(max_length=20, index=True)
    created_at: datetime = _when()
    confirmed_on: date
    acknowledged_by: str | None = Field(default=None, max_length=254)
    acknowledged_at: datetime | None = _when(nullable=True)
    ended_by: str | None = Field(default=None, max_length=254)
    ended_at: datetime | None = _when(nullable=True)
    end_reason: str | None = Field(default=None, max_length=30)
    end_note: str | None = Field(default=None, sa_column=Column(Text))
    nudged_on: date | None = None
    revision: int = 1
    exchanges: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


# --- the scheduler: one lease per job, and the periods a periodic job has done ---


class JobLeaseRow(SQLModel, table=True):
    """Which process may run a job, until when (renewed while it runs, free once expired)."""

    __tablename__ = "job_lease"

    name: str = Field(primary_key=True, max_length=100)
    holder: str = Field(max_length=200)
    until: datetime = _when()


class JobRunRow(SQLModel, table=True):
    """A period (a day, a week) of a periodic job: claimed when it starts, `handled` once done."""

    __tablename__ = "job_run"

    name: str = Field(primary_key=True, max_length=100)
    period_key: str = Field(primary_key=True, max_length=40)
    ran_at: datetime = _when()
    handled: int | None = None


# --- training records, refresher campaigns and nudges (T1) ---


class TrainingCompletionRow(SQLModel, table=True):
    """A completed course: recorded in chat, imported from the platform, or confirmed."""

    __tablename__ = "training_completion"
    __table_args__ = (UniqueConstraint("email", "course", "completed_on"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    course: str = Field(max_length=100)
    completed_on: date
    source: str = Field(max_length=10)  # chat | import | admin
    certificate_url: str | None = Field(default=None, max_length=500)
    recorded_by: str = Field(max_length=254)
    recorded_at: datetime = _when()


class TrainingCampaignRow(SQLModel, table=True):
    """A refresher after an incident or a change: a site (or "trust") trains again."""

    __tablename__ = "training_campaign"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    site_id: str = Field(max_length=64)
    starts_on: date
    deadline: date
    reason: str | None = Field(default=None, sa_column=Column(Text))
    started_by: str = Field(max_length=254)
    started_at: datetime = _when()


class TrainingNudgeRow(SQLModel, table=True):
    """How often a person has been nudged while due, and when last (reset once trained)."""

    __tablename__ = "training_nudge"

    email: str = Field(primary_key=True, max_length=254)
    nudges: int = 0
    last_nudged_on: date | None = Field(default=None, index=True)


# --- policy review, ratification and change announcements (P1) ---


class PolicyReviewRow(SQLModel, table=True):
    """A review of the policy sent by the Head of Comms to ELT for ratification; once ratified,
    its `next_review` is the policy's next review date (over the directory file's)."""

    __tablename__ = "policy_review"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    requested_by: str = Field(max_length=254)
    requested_at: datetime = _when()
    next_review: date
    sent_to: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: str | None = Field(default=None, sa_column=Column(Text))
    link: str | None = Field(default=None, max_length=500)
    state: str = Field(max_length=12, index=True)  # waiting | ratified | returned
    decided_by: str | None = Field(default=None, max_length=254)
    decided_at: datetime | None = _when(nullable=True)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    revision: int = 1


class PolicyChangeRow(SQLModel, table=True):
    """A change to the policy announced to every member of staff, who acknowledge it."""

    __tablename__ = "policy_change"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    link: str = Field(max_length=500)
    announced_by: str = Field(max_length=254)
    announced_at: datetime = _when()
    staff: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    nudged_week: str | None = Field(default=None, max_length=10)  # weekly nudges queued, 2026-W48


class PolicyAckRow(SQLModel, table=True):
    """One person's acknowledgement of one policy change (once)."""

    __tablename__ = "policy_ack"
    __table_args__ = (UniqueConstraint("change_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="policy_change.id", index=True)
    email: str = Field(max_length=254)
    acked_at: datetime = _when()


# --- oversight: last week's figures, for the change since then (M8) ---


class OversightSnapshotRow(SQLModel, table=True):
    """The figures one person's weekly digest showed, for the change the next one shows."""

    __tablename__ = "oversight_snapshot"

    viewer: str = Field(primary_key=True, max_length=254)
    scope: str = Field(primary_key=True, max_length=64)  # a site id, or "trust"
    week: str = Field(primary_key=True, max_length=40)
    figures: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    taken_at: datetime = _when()


# --- the abuse log (M7) ---


class AbuseEntryRow(SQLModel, table=True):
    """An abusive or inappropriate comment about a school or the Trust; seen by the Head of
    Comms, the school's Headteacher and whoever logged it."""

    __tablename__ = "abuse_entry"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    report_ref: str | None = Field(default=None, max_length=20, unique=True)
    logged_by: str = Field(max_length=254, index=True)
    site_id: str = Field(max_length=64, index=True)
    platform: str = Field(max_length=40)
    link: str | None = Field(default=None, sa_column=Column(Text))
    account: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    seen_at: datetime = _when()
    kind: str = Field(max_length=30)
    logged_at: datetime = _when()
    done: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    screenshot_url: str | None = Field(default=None, sa_column=Column(Text))
    note: str | None = Field(default=None, sa_column=Column(Text))
    status: str = Field(max_length=20, index=True)
    status_by: str | None = Field(default=None, max_length=254)
    status_at: datetime | None = _when(nullable=True)
    nudged_at: datetime | None = _when(nullable=True)
    revision: int = 1


class AbuseScreenshotRow(SQLModel, table=True):
    """A screenshot file given with an abuse log entry: what the channel said of it, and once
    fetched its bytes, their SHA-256 and when the bot kept them. Goes with its entry."""

    __tablename__ = "abuse_screenshot"

    id: int | None = Field(default=None, primary_key=True)
    entry_ref: str = Field(max_length=20, index=True)
    source_key: str = Field(max_length=240, unique=True)
    added_by: str = Field(max_length=254)
    added_at: datetime = _when()
    upload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(max_length=10, index=True)
    sha256: str | None = Field(default=None, max_length=64)
    size: int | None = None
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    kept_at: datetime | None = _when(nullable=True)
    tries: int = 0
    next_try_at: datetime | None = _when(nullable=True)
    problem: str | None = Field(default=None, max_length=200)


class NetworkRequestRow(SQLModel, table=True):
    """A request about the school network (I1): a platform for pupils, approved by the
    Headteacher and applied by the IT provider; or a site for the IT provider to unblock."""

    __tablename__ = "network_request"

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, unique=True)
    source_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)  # platform | unblock
    requester: str = Field(max_length=254, index=True)
    site_id: str = Field(max_length=64)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=20, index=True)  # requested|approved|done|declined|lapsed|ended
    created_at: datetime = _when()
    class_name: str | None = Field(default=None, max_length=100)
    platform: str | None = Field(default=None, max_length=40)
    starts_on: date | None = None
    ends_on: date | None = None
    address: str | None = Field(default=None, max_length=500)
    approved_by: str | None = Field(default=None, max_length=254)
    approved_at: datetime | None = _when(nullable=True)
    done_by: str | None = Field(default=None, max_length=254)
    done_at: datetime | None = _when(nullable=True)
    declined_by: str | None = Field(default=None, max_length=254)
    declined_at: datetime | None = _when(nullable=True)
    declined_reason: str | None = Field(default=None, sa_column=Column(Text))
    reminded_at: datetime | None = _when(nullable=True)
    lapsed_at: datetime | None = _when(nullable=True)
    end_asked_at: datetime | None = _when(nullable=True)
    removed_by: str | None = Field(default=None, max_length=254)
    removed_at: datetime | None = _when(nullable=True)
