"""outbox channel_ref index: find the outbox items shown at one card (a click's card ref)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_outbox_message_channel_ref"), "outbox_message", ["channel_ref"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_message_channel_ref"), table_name="outbox_message")
