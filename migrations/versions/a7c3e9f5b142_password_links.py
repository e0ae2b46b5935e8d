"""password links: one-time codes with which users set their own passwords

password_links: a new account's invitation or a reset, by an admin; only the code's SHA-256 is
kept; used_at is set when it is spent (or replaced by a newer link).

Revision ID: a7c3e9f5b142
Revises: f6b2d8e4a031
Create Date: 2026-12-02 23:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "a7c3e9f5b142"
down_revision = "f6b2d8e4a031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_password_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_links")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_password_links_code_hash")),
    )
    op.create_index(
        op.f("ix_password_links_user_id"), "password_links", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_password_links_user_id"), table_name="password_links")
    op.drop_table("password_links")
