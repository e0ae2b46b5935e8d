"""refresh tokens: when each pair was issued, and which token replaced it

refresh_tokens.issued_at: when the pair was made; replaced_by: the jti of the refresh token it was
exchanged for. Together they let a refresh repeated within REFRESH_REUSE_GRACE_SECONDS get the
pair already issued, instead of ending the sign-in (the page and the service worker of one app
refreshing at once). Rows from before have neither, and simply get no grace.

Revision ID: e5a1c7d3f920
Revises: d4e5f6a7b8c9
Create Date: 2026-12-02 21:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "e5a1c7d3f920"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.add_column(sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("replaced_by", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_column("replaced_by")
        batch.drop_column("issued_at")
