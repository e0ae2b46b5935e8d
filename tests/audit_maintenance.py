"""Emptying the audit log between tests: PostgreSQL refuses it unless the transaction says it
is maintenance (the guard and its setting: docs/security.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from api.audit.models import MAINTENANCE_SETTING


def allow_audit_log_maintenance(executor: Any) -> None:
    """Let the current transaction of `executor` (a Connection or a Session) change or empty
    the audit log on PostgreSQL; on SQLite there is no guard."""
    bind = executor if hasattr(executor, "dialect") else executor.get_bind()
    if bind.dialect.name == "postgresql":
        executor.execute(text(f"SET LOCAL {MAINTENANCE_SETTING} = 'on'"))
