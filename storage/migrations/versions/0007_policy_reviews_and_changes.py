"""policy reviews, ratification and change announcements

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "policy_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", TEXT(length=20), nullable=False),
        sa.Column("source_key", TEXT(length=200), nullable=False),
        sa.Column("requested_by", TEXT(length=254), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=False),
        sa.Column("sent_to", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("link", TEXT(length=500), nullable=True),
        sa.Column("state", TEXT(length=12), nullable=False),
        sa.Column("decided_by", TEXT(length=254), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index("ix_policy_review_state", "policy_review", ["state"])
    op.create_table(
        "policy_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", TEXT(length=20), nullable=False),
        sa.Column("source_key", TEXT(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("link", TEXT(length=500), nullable=False),
        sa.Column("announced_by", TEXT(length=254), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff", sa.JSON(), nullable=False),
        sa.Column("nudged_week", TEXT(length=10), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_table(
        "policy_ack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("email", TEXT(length=254), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["policy_change.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("change_id", "email"),
    )
    op.create_index("ix_policy_ack_change_id", "policy_ack", ["change_id"])


def downgrade() -> None:
    op.drop_index("ix_policy_ack_change_id", table_name="policy_ack")
    op.drop_table("policy_ack")
    op.drop_table("policy_change")
    op.drop_index("ix_policy_review_state", table_name="policy_review")
    op.drop_table("policy_review")
