"""sync: the last number that stamped each team's rows

Revision ID: b8d4f0a6c253
Revises: a7c3e9f5b142
Create Date: 2026-12-03 03:10:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "b8d4f0a6c253"
down_revision = "a7c3e9f5b142"
branch_labels = None
depends_on = None

# The partition of rows that have none (sync.feed.EVERYWHERE).
EVERYWHERE = "00000000-0000-0000-0000-000000000000"


def upgrade():
    op.create_table(
        "sync_partitions",
        sa.Column("partition", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("partition", name=op.f("pk_sync_partitions")),
    )
    # What was numbered before counts as a change everywhere: a cursor from before this
    # migration reads the tables once more, as it always did, before any pull can skip them.
    partitions = sa.table(
        "sync_partitions", sa.column("partition", sa.Uuid()), sa.column("seq", sa.BigInteger())
    )
    seq = op.get_bind().execute(sa.text("SELECT seq FROM sync_state WHERE id = 1")).scalar()
    if seq:
        op.bulk_insert(partitions, [{"partition": uuid.UUID(EVERYWHERE), "seq": seq}])


def downgrade():
    op.drop_table("sync_partitions")
