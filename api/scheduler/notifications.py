"""The outbox of notifications: jobs queue them, the dispatch job sends the due ones.

Queueing is idempotent: each notification has a dedupe key, and a key already queued is left
alone, so a reminder is never queued twice (not even by two processes at once). Dispatching
claims due rows first (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer at a time), so
two dispatchers never send the same row; the push services are called with no transaction
open. What goes out is built by api.push.payloads from the kind and the record id alone.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from api.accounts.models import User
from api.common.model import new_id
from api.common.time import local_zone
from api.extensions import db
from api.push.payloads import COUNT_BODIES, build_count_payload, build_payload
from api.push.service import DEFAULT_TTL_SECONDS, send_to_user
from api.scheduler.models import DETAIL_MAX_LENGTH, Notification
from api.scheduler.preferences import preferences_of
from api.sqlite import sqlite_writer

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# A row claimed this long ago and never finished belonged to a dispatcher that died: claim it
# again (a message may then go out twice, which beats never).
CLAIM_LEASE = timedelta(minutes=10)
MIN_TTL_SECONDS = 60


@contextmanager
def writer_transactions() -> Iterator[None]:
    """Transactions that read and then write take SQLite's write lock when they begin, so two
    processes queue for it instead of one failing (see api.sqlite). No-op elsewhere."""
    db.session.commit()  # a transaction begun before this would not have the lock
    token = sqlite_writer.set(True)
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        sqlite_writer.reset(token)


def insert_ignoring_conflicts(model: Any, values: dict[str, Any], columns: list[str]) -> bool:
    """INSERT ... ON CONFLICT (columns) DO NOTHING; True when the row went in."""
    dialect = db.session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"the scheduler needs PostgreSQL or SQLite, not {dialect}")
    table = model.__table__
    statement = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=columns)
        .returning(*table.primary_key.columns)
    )
    # A row back means it went in (not every driver reports the row count of this insert).
    return db.session.execute(statement).first() is not None


def enqueue(
    *,
    user_id: uuid.UUID,
    kind: str,
    dedupe_key: str,
    now: datetime,
    record_id: uuid.UUID | None = None,
    count: int | None = None,
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Queue a notification unless its dedupe key is queued already; True when queued.
    The payload is checked now, so a kind or count that cannot be sent fails its job here."""
    now = now.astimezone(UTC)
    if count is None:
        build_payload(kind, record_id)
    else:
        build_count_payload(kind, count)
    return insert_ignoring_conflicts(
        Notification,
        {
            "id": new_id(),
            "user_id": user_id,
            "kind": kind,
            "record_id": record_id,
            "count": count,
            "dedupe_key": dedupe_key,
            "not_before": not_before or now,
            "expires_at": expires_at,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        },
        ["dedupe_key"],
    )


# --- Dispatch ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    """What sending needs of a claimed row, read before its transaction ends."""

    id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    record_id: uuid.UUID | None
    count: int | None
    expires_at: datetime | None


@dataclass
class DispatchCounts:
    counts: dict[str, int] = field(
        default_factory=lambda: {"sent": 0, "failed": 0, "skipped": 0, "deferred": 0}
    )

    def add(self, outcome: str) -> None:
        self.counts[outcome] += 1

    def __getitem__(self, outcome: str) -> int:
        return self.counts[outcome]

    def __str__(self) -> str:
        return ", ".join(f"{outcome} {number}" for outcome, number in self.counts.items())


def claim_due(now: datetime, limit: int = BATCH_SIZE) -> list[Claimed]:
    """Mark up to `limit` due notifications as being sent by this dispatcher, and commit.
    Rows another dispatcher holds are skipped, not waited for."""
    due = or_(
        (Notification.status == "pending") & (Notification.not_before <= now),
        (Notification.status == "sending") & (Notification.claimed_at < now - CLAIM_LEASE),
    )
    rows = db.session.scalars(
        select(Notification)
        .where(due)
        .order_by(Notification.not_before, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed = [
        Claimed(row.id, row.user_id, row.kind, row.record_id, row.count, row.expires_at)
        for row in rows
    ]
    for row in rows:
        row.status, row.claimed_at, row.attempts = "sending", now, row.attempts + 1
    db.session.commit()
    return claimed


def _finish(item: Claimed, status: str, detail: str | None, now: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id == item.id, Notification.status == "sending")
        .values(
            status=status,
            finished_at=now,
            detail=detail[:DETAIL_MAX_LENGTH] if detail else None,
        )
    )
    db.session.commit()


def _defer(item: Claimed, until: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id == item.id, Notification.status == "sending")
        .values(status="pending", not_before=until, claimed_at=None)
    )
    db.session.commit()


def _ttl(item: Claimed, now: datetime) -> int:
    """How long a push service should keep the message for a phone that is off."""
    if item.expires_at is None:
        return DEFAULT_TTL_SECONDS
    left = int((item.expires_at - now).total_seconds())
    return max(MIN_TTL_SECONDS, min(DEFAULT_TTL_SECONDS, left))


def _payload(item: Claimed) -> dict[str, Any]:
    if item.count is not None and item.kind in COUNT_BODIES:
        return build_count_payload(item.kind, item.count)
    return build_payload(item.kind, item.record_id)


def send_one(item: Claimed, now: datetime) -> str:
    """Send a claimed notification, or skip or defer it; what became of it."""
    user = db.session.get(User, item.user_id)
    if user is None or not user.is_active:
        _finish(item, "skipped", "The user is not active.", now)
        return "skipped"
    preferences = preferences_of(item.user_id)
    if not preferences.allows(item.kind):
        _finish(item, "skipped", "The user turned this kind of notification off.", now)
        return "skipped"
    if item.expires_at is not None and item.expires_at <= now:
        _finish(item, "skipped", "Too late: what it reminds of has begun.", now)
        return "skipped"
    quiet_until = preferences.quiet_until(now, local_zone())
    if quiet_until is not None:
        _defer(item, quiet_until)
        return "deferred"
    deliveries = send_to_user(item.user_id, _payload(item), ttl=_ttl(item, now))
    delivered = sum(1 for d in deliveries if d.outcome == "delivered")
    if not deliveries:
        _finish(item, "skipped", "The user has no push subscription.", now)
        return "skipped"
    if delivered:
        _finish(item, "sent", f"Delivered to {delivered} of {len(deliveries)} devices.", now)
        return "sent"
    if all(d.outcome == "gone" for d in deliveries):
        _finish(item, "skipped", "Every subscription of the user was gone (removed).", now)
        return "skipped"
    reason = next((d.reason for d in deliveries if d.outcome == "failed"), None)
    _finish(item, "failed", reason or "The push service did not take the message.", now)
    return "failed"


def dispatch(now: datetime, batch_size: int = BATCH_SIZE) -> DispatchCounts:
    """Send every notification due at `now`, a batch at a time."""
    now = now.astimezone(UTC)
    counts = DispatchCounts()
    with writer_transactions():
        while batch := claim_due(now, batch_size):
            for item in batch:
                try:
                    outcome = send_one(item, now)
                except Exception as error:  # one bad row must not hold up the rest
                    log.exception("Sending notification %s failed", item.id)
                    db.session.rollback()
                    _finish(item, "failed", f"{type(error).__name__} while sending.", now)
                    outcome = "failed"
                counts.add(outcome)
            if len(batch) < batch_size:
                break
    return counts
