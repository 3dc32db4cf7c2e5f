"""abuse log: abusive or inappropriate comments about a school or the Trust (M7)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
INDEXED = ("logged_by", "site_id", "status")


def upgrade() -> None:
    op.create_table(
        "abuse_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", TEXT(length=20), nullable=False),
        sa.Column("source_key", TEXT(length=200), nullable=False),
        sa.Column("report_ref", TEXT(length=20), nullable=True),
        sa.Column("logged_by", TEXT(length=254), nullable=False),
        sa.Column("site_id", TEXT(length=64), nullable=False),
        sa.Column("platform", TEXT(length=40), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("account", TEXT(length=200), nullable=True),
        sa.Column("author", TEXT(length=200), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", TEXT(length=30), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done", sa.JSON(), nullable=False),
        sa.Column("screenshot_url", sa.Text(), nullable=True),
        sa.Column("screenshot_sha256", TEXT(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", TEXT(length=20), nullable=False),
        sa.Column("status_by", TEXT(length=254), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("source_key"),
        sa.UniqueConstraint("report_ref"),
    )
    with op.batch_alter_table("abuse_entry", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_abuse_entry_{column}"), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("abuse_entry", schema=None) as batch_op:
        for column in reversed(INDEXED):
            batch_op.drop_index(batch_op.f(f"ix_abuse_entry_{column}"))
    op.drop_table("abuse_entry")
