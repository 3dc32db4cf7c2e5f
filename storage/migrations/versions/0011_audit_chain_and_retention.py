"""audit chain and retention: hash-chained audit events, the chain's row, report redaction

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from bot.audit_chain import GENESIS, event_hash

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
APPEND_ONLY = "the audit trail is append-only"
# Deleting is allowed only for events retention has already anchored (id <= anchor_id).
PRUNED = "(SELECT anchor_id FROM audit_chain WHERE id = 1)"

VERSION_KEPT = "a submitted version of a post is never changed: submit a new one"
# Retention may delete the versions of a finished post (never those of a post still in play).
FINISHED = (
    "(SELECT status FROM post_request WHERE id = OLD.post_id) "
    "IN ('approved', 'rejected', 'expired', 'published')"
)

EVENTS = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("record_type", sa.String()),
    sa.column("record_id", sa.String()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("detail", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _drop_triggers(postgres)
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=False),
        sa.Column("head_hash", TEXT(length=64), nullable=False),
        sa.Column("anchor_id", sa.Integer(), nullable=False),
        sa.Column("anchor_hash", TEXT(length=64), nullable=False),
        sa.Column("pruned", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", TEXT(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", TEXT(length=64), nullable=True))
    head_id, head_hash = _chain_existing()
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=TEXT(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=TEXT(length=64), nullable=False)
    op.execute(
        sa.text(
            "INSERT INTO audit_chain (id, head_id, head_hash, anchor_id, anchor_hash, pruned) "
            "VALUES (1, :head_id, :head_hash, 0, :genesis, 0)"
        ).bindparams(head_id=head_id, head_hash=head_hash, genesis=GENESIS)
    )
    with op.batch_alter_table("misuse_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(timezone=True), nullable=True))
    _create_triggers(postgres, deletable=True)
    _post_versions(postgres, deletable=True)


def _post_versions(postgres: bool, *, deletable: bool) -> None:
    """Post versions stay never-changed; after this migration a finished post's may go."""
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS post_version_append_only ON post_version")
        op.execute("DROP FUNCTION IF EXISTS post_version_refuse()")
        allow = f"IF TG_OP = 'DELETE' AND {FINISHED} THEN RETURN OLD; END IF; " if deletable else ""
        op.execute(
            "CREATE FUNCTION post_version_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {allow}RAISE EXCEPTION '{VERSION_KEPT}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER post_version_append_only BEFORE UPDATE OR DELETE ON post_version "
            "FOR EACH ROW EXECUTE FUNCTION post_version_refuse()"
        )
        return
    op.execute("DROP TRIGGER IF EXISTS post_version_no_delete")
    when = f"WHEN NOT {FINISHED} " if deletable else ""
    op.execute(
        f"CREATE TRIGGER post_version_no_delete BEFORE DELETE ON post_version {when}"
        f"BEGIN SELECT RAISE(ABORT, '{VERSION_KEPT}'); END"
    )


def _chain_existing() -> tuple[int, str]:
    """Chain the events written before this migration, in id order; returns the head."""
    bind = op.get_bind()
    prev, head_id = GENESIS, 0
    rows = bind.execute(sa.select(EVENTS).order_by(EVENTS.c.id)).mappings().all()
    for row in rows:
        digest = event_hash(row, prev)
        bind.execute(
            EVENTS.update().where(EVENTS.c.id == row["id"]).values(prev_hash=prev, hash=digest)
        )
        prev, head_id = digest, row["id"]
    return head_id, prev


def _drop_triggers(postgres: bool) -> None:
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_refuse()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _create_triggers(postgres: bool, *, deletable: bool) -> None:
    """Updates are always refused; deletes too, except (after this migration) of events
    retention has anchored in audit_chain."""
    if postgres:
        allow = (
            f"IF TG_OP = 'DELETE' AND OLD.id <= {PRUNED} THEN RETURN OLD; END IF; "
            if deletable
            else ""
        )
        op.execute(
            "CREATE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {allow}RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_refuse()"
        )
        return
    op.execute(
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )
    when = f"WHEN OLD.id > {PRUNED} " if deletable else ""
    op.execute(
        f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event {when}"
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    _post_versions(postgres, deletable=False)
    _drop_triggers(postgres)
    with op.batch_alter_table("misuse_report", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    op.drop_table("audit_chain")
    _create_triggers(postgres, deletable=False)
