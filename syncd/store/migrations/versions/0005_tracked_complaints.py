"""tracked complaints: the ids a source checks one by one

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import syncd.store.utc

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracked_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("upstream_id", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("origin_file", sa.String(length=255), nullable=True),
        sa.Column("origin_row", sa.Integer(), nullable=True),
        sa.Column("added_at", syncd.store.utc.UTCDateTime(timezone=True), nullable=False),
        sa.Column("schedule", sa.String(length=16), nullable=False),
        sa.Column("last_check_at", syncd.store.utc.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_check_at", syncd.store.utc.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.String(length=32), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("closed_since", syncd.store.utc.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "upstream_id", name="uq_tracked_source_upstream"),
    )
    op.create_index("ix_tracked_due", "tracked_complaints", ["source", "next_check_at"])


def downgrade() -> None:
    op.drop_index("ix_tracked_due", table_name="tracked_complaints")
    op.drop_table("tracked_complaints")
