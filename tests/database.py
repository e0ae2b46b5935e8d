"""Emptying the test database: between tests (conftest) and around the worlds some modules build
once for all their tests."""

from __future__ import annotations

from sqlalchemy import text

from api.extensions import db
from tests.audit_maintenance import allow_audit_log_maintenance


def empty_every_table() -> None:
    """Every table empty but the feed's counter row, as the migration leaves it; needs an app
    context and a session with nothing pending."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        allow_audit_log_maintenance(conn)
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("INSERT INTO sync_state (id, seq, purged_seq) VALUES (1, 0, 0)"))
