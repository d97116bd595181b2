"""running totals for the metrics, and the index on running clocks

The totals are filled from the mirror by ``syncd.store.migrate.upgrade`` once the
schema is in place.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 05:53:32.789557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import syncd.store.utc

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tally_clocks",
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "kind", "state", "year"),
    )
    op.create_table(
        "tally_complaints",
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "status"),
    )
    op.create_table(
        "tally_earliest_due",
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", syncd.store.utc.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("agency", "kind"),
    )
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clocks_running_due",
            ["agency_id", "kind", "due_at"],
            unique=False,
            sqlite_where=sa.text("outcome IS NULL AND paused_at IS NULL"),
            postgresql_where=sa.text("outcome IS NULL AND paused_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("clocks", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_clocks_running_due",
            sqlite_where=sa.text("outcome IS NULL AND paused_at IS NULL"),
            postgresql_where=sa.text("outcome IS NULL AND paused_at IS NULL"),
        )

    op.drop_table("tally_earliest_due")
    op.drop_table("tally_complaints")
    op.drop_table("tally_clocks")
