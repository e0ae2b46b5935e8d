"""audit log, and the mark erasure leaves on a participant

audit_log: who read or changed which participant's data, when, what and by which access rule;
ids and short codes only (api/audit). On PostgreSQL a trigger makes it append-only: UPDATE,
DELETE and TRUNCATE are refused unless the transaction has set feltlogg.audit_maintenance to
'on' (a database administrator's retention job; docs/security.md). participants.erased_at: set
by erasure; from then on no write to the participant or their records is accepted.

Revision ID: d4e5f6a7b8c9
Revises: c3a8f5e27d14
Create Date: 2026-11-25 12:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "d4e5f6a7b8c9"
down_revision = "c3a8f5e27d14"
branch_labels = None
depends_on = None

GUARD_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('feltlogg.audit_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'A retention job sets feltlogg.audit_maintenance to on in its transaction.';
END
$$
"""
# Statement-level, so that it also fires for a DELETE or UPDATE that matches no row, and for
# TRUNCATE (which has no rows to fire for).
GUARD_TRIGGER = """
CREATE TRIGGER audit_log_append_only
BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
"""


def upgrade():
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "action IN ('read', 'create', 'update', 'delete', 'export', 'erase')",
            name=op.f("ck_audit_log_action_allowed"),
        ),
        sa.CheckConstraint("record_count >= 1", name=op.f("ck_audit_log_record_count_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_log_participant_id_at", ["participant_id", "at"])
        batch_op.create_index("ix_audit_log_actor_id_at", ["actor_id", "at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD_FUNCTION)
        op.execute(GUARD_TRIGGER)

    # Nullable, no default: adding it is instant on both databases.
    op.add_column("participants", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite (3.35 and later) drops the column in place; a batch copy of the table would have
    # to drop the original, which the foreign keys of the rows that reference it forbid.
    op.drop_column("participants", "erased_at")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_actor_id_at")
        batch_op.drop_index("ix_audit_log_participant_id_at")
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
    op.drop_table("audit_log")
