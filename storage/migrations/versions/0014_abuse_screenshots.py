"""abuse log screenshots: files the bot fetches, keeps and fingerprints (SHA-256) itself

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
INDEXED = ("entry_ref", "state")
TYPED = (
    '{"channel": "typed", "file_id": "", "name": "fingerprint given by the person", "mimetype": ""}'
)


def upgrade() -> None:
    op.create_table(
        "abuse_screenshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_ref", TEXT(length=20), nullable=False),
        sa.Column("source_key", TEXT(length=240), nullable=False),
        sa.Column("added_by", TEXT(length=254), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upload", sa.JSON(), nullable=False),
        sa.Column("state", TEXT(length=10), nullable=False),
        sa.Column("sha256", TEXT(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("kept_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem", TEXT(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("abuse_screenshot", schema=None) as batch_op:
        for column in INDEXED:
            batch_op.create_index(
                batch_op.f(f"ix_abuse_screenshot_{column}"), [column], unique=False
            )
    # A fingerprint typed by a person is not one the bot can stand behind: from now on the bot
    # fetches the file and computes it. Typed ones move to the new table, marked as given.
    op.execute(
        "INSERT INTO abuse_screenshot (entry_ref, source_key, added_by, added_at, upload, state, "
        "sha256, tries) SELECT ref, 'typed:' || ref, logged_by, logged_at, "
        f"'{TYPED}', 'given', screenshot_sha256, 0 FROM abuse_entry "
        "WHERE screenshot_sha256 IS NOT NULL"
    )
    with op.batch_alter_table("abuse_entry", schema=None) as batch_op:
        batch_op.drop_column("screenshot_sha256")


def downgrade() -> None:
    with op.batch_alter_table("abuse_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screenshot_sha256", TEXT(length=64), nullable=True))
    op.execute(
        "UPDATE abuse_entry SET screenshot_sha256 = (SELECT sha256 FROM abuse_screenshot s "
        "WHERE s.source_key = 'typed:' || abuse_entry.ref)"
    )
    with op.batch_alter_table("abuse_screenshot", schema=None) as batch_op:
        for column in reversed(INDEXED):
            batch_op.drop_index(batch_op.f(f"ix_abuse_screenshot_{column}"))
    op.drop_table("abuse_screenshot")
