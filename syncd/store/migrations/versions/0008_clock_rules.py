"""clock rules: which rules the stored clocks were derived by

A mirror upgraded to this revision has none recorded, so the next ``syncd run``,
``syncd sync`` or ``syncd db upgrade -c`` derives its clocks again: the reporter's
window then lapses instead of breaching, and the platform's closing and a
reporter's reply count as CONTRACT.md section 2 says.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import syncd.store.utc

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clock_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("derived_at", syncd.store.utc.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("clock_rules")
