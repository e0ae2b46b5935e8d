"""tombstone the records of deleted participants

A deleted participant now takes their consents, career profile, plan, meetings and job matches
along (api.entities.tombstone_caseload_records). Rows left behind by earlier deletions are
tombstoned here, in the feed at a new number, so that devices that still hold them drop them.

Revision ID: 3f1c2a7d9b10
Revises: 68039201ad1e
Create Date: 2026-11-23 09:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "3f1c2a7d9b10"
down_revision = "68039201ad1e"
branch_labels = None
depends_on = None

TABLES = ("consents", "career_profiles", "plan_goals", "plan_steps", "meetings", "job_matches")


def upgrade():
    bind = op.get_bind()
    orphaned = (
        "participant_id IN (SELECT id FROM participants WHERE deleted_at IS NOT NULL)"
        " AND deleted_at IS NULL"
    )
    if not any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE {orphaned} LIMIT 1")).first()
        for table in TABLES
    ):
        return
    bind.execute(sa.text("UPDATE sync_state SET seq = seq + 1 WHERE id = 1"))
    for table in TABLES:
        bind.execute(
            sa.text(
                f"UPDATE {table} SET"
                " deleted_at = (SELECT p.deleted_at FROM participants p"
                f" WHERE p.id = {table}.participant_id),"
                " version = version + 1,"
                " seq = (SELECT seq FROM sync_state WHERE id = 1)"
                f" WHERE {orphaned}"
            )
        )


def downgrade():
    pass  # the tombstones stay: bringing the records back would be a new decision
