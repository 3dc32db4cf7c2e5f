"""Teams conversation references on chat identities

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("chat_identity") as batch:
        batch.add_column(sa.Column("service_url", TEXT(length=500), nullable=True))
        batch.add_column(sa.Column("aad_object_id", TEXT(length=64), nullable=True))
        batch.add_column(sa.Column("tenant_id", TEXT(length=64), nullable=True))
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chat_identity") as batch:
        for column in ("last_seen_at", "tenant_id", "aad_object_id", "service_url"):
            batch.drop_column(column)
