"""high availability: the leader's lease, the processes sharing the database, and the
fencing number an outbox claim was made under

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import syncd.store.utc

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def upgrade() -> None:
    utc = syncd.store.utc.UTCDateTime(timezone=True)
    lease = op.create_table(
        "ha_lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=True),
        sa.Column("fencing", sa.BigInteger(), nullable=False),
        sa.Column("acquired_at", utc, nullable=True),
        sa.Column("renewed_at", utc, nullable=True),
        sa.Column("expires_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # One row, expired since ever: the first process to look takes the lease.
    op.execute(lease.insert().values(id=1, holder=None, fencing=0, expires_at=NEVER))
    op.create_table(
        "ha_members",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("fencing", sa.BigInteger(), nullable=True),
        sa.Column("started_at", utc, nullable=False),
        sa.Column("seen_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert_outbox") as batch:
        batch.add_column(sa.Column("claim_fencing", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_outbox") as batch:
        batch.drop_column("claim_fencing")
    op.drop_table("ha_members")
    op.drop_table("ha_lease")
