"""The audit log's retention: entries older than AUDIT_RETENTION_DAYS go, nightly.

On PostgreSQL the table refuses DELETE unless the transaction has switched the guard's
maintenance setting on (docs/security.md). The purge goes through that door and no other: it
opens it with SET LOCAL, deletes only entries older than the horizon, and closes it again at
once, so nothing else in the same transaction can change the log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, text

from api.audit.models import MAINTENANCE_SETTING, AuditEvent


def purge_audit_log(session: Any, before: datetime) -> int:
    """Delete the entries recorded before `before`; returns how many. The caller commits."""
    guarded = session.get_bind().dialect.name == "postgresql"
    table = AuditEvent.__table__
    if guarded:
        session.execute(text(f"SET LOCAL {MAINTENANCE_SETTING} = 'on'"))
    # If the DELETE fails, PostgreSQL refuses every further statement of the transaction until
    # it is rolled back, which also undoes SET LOCAL: the door cannot be left open.
    result = session.execute(delete(table).where(table.c.at < before))
    if guarded:
        session.execute(text(f"SET LOCAL {MAINTENANCE_SETTING} = 'off'"))
    return int(result.rowcount or 0)
