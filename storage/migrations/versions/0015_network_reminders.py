"""network requests: reminders, lapsed requests, and access removed after the activity (I1)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
MOMENTS = ("reminded_at", "lapsed_at", "end_asked_at", "removed_at")


def upgrade() -> None:
    with op.batch_alter_table("network_request") as table:
        for name in MOMENTS:
            table.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("removed_by", TEXT(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("network_request") as table:
        table.drop_column("removed_by")
        for name in reversed(MOMENTS):
            table.drop_column(name)
