"""oversight snapshots: the figures of each weekly digest

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "oversight_snapshot",
        sa.Column("viewer", TEXT(length=254), nullable=False),
        sa.Column("scope", TEXT(length=64), nullable=False),
        sa.Column("week", TEXT(length=40), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("viewer", "scope", "week"),
    )


def downgrade() -> None:
    op.drop_table("oversight_snapshot")
