"""network requests: platforms for pupils on the school network, and unblock requests (I1)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "network_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", TEXT(length=20), nullable=False),
        sa.Column("source_key", TEXT(length=200), nullable=False),
        sa.Column("kind", TEXT(length=20), nullable=False),
        sa.Column("requester", TEXT(length=254), nullable=False),
        sa.Column("site_id", TEXT(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", TEXT(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("class_name", TEXT(length=100), nullable=True),
        sa.Column("platform", TEXT(length=40), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("address", TEXT(length=500), nullable=True),
        sa.Column("approved_by", TEXT(length=254), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", TEXT(length=254), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_by", TEXT(length=254), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index("ix_network_request_requester", "network_request", ["requester"])
    op.create_index("ix_network_request_status", "network_request", ["status"])


def downgrade() -> None:
    op.drop_index("ix_network_request_status", table_name="network_request")
    op.drop_index("ix_network_request_requester", table_name="network_request")
    op.drop_table("network_request")
