"""employer contacts and meetings: when they were logged, beside when they happened

logged_at: when the specialist logged the contact or meeting (the phone's clock), which may be
days after it happened; what happened may be set back at most ACTIVITY_MAX_DAYS_BACK days
before it. Rows from before take the time the server created them.

Revision ID: f6b2d8e4a031
Revises: e5a1c7d3f920
Create Date: 2026-12-02 22:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "f6b2d8e4a031"
down_revision = "e5a1c7d3f920"
branch_labels = None
depends_on = None

TABLES = ("employer_contacts", "meetings")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("logged_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET logged_at = created_at")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("logged_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("logged_at")
