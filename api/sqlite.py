"""SQLite as the app uses it: foreign keys on, WAL, and a write lock taken up front by requests
and jobs that write (`sqlite_writer`). PostgreSQL is left alone."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

# True while a request or job that may write is running (set per request in api/__init__.py,
# and by api.scheduler.notifications.writer_transactions).
sqlite_writer: ContextVar[bool] = ContextVar("sqlite_writer", default=False)


@event.listens_for(Engine, "connect")
def _sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite enforces foreign keys only when asked, per connection. WAL lets pulls read while
    a push writes."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("memory", "wal"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """A transaction that reads and then writes must not start as a reader: two of them would
    each wait for the other to stop reading, and SQLite fails one at once ("database is
    locked") instead of waiting. So a request that may write begins with the write lock
    (BEGIN IMMEDIATE) and concurrent writers queue for up to busy_timeout. Everything else
    is left to the driver, which begins a transaction before the first write; under WAL
    reads never wait."""
    if connection.dialect.name == "sqlite" and sqlite_writer.get():
        connection.exec_driver_sql("BEGIN IMMEDIATE")
