"""statuses known by their name alone: status codes may be absent

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.alter_column("status_code", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("status_log_entries", schema=None) as batch_op:
        batch_op.alter_column("status_new_code", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("status_log_entries", schema=None) as batch_op:
        batch_op.alter_column("status_new_code", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.alter_column("status_code", existing_type=sa.Integer(), nullable=False)
