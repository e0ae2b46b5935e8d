"""The scheduler's tables: the runs of its jobs, the outbox of notifications, and each user's
notification preferences. None of them syncs to devices."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import UTCDateTime, new_id, one_of, utcnow
from api.extensions import db

JOB_OUTCOMES = ("running", "ok", "failed")
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed", "skipped")
DETAIL_MAX_LENGTH = 200


class JobRun(db.Model):  # type: ignore[name-defined]
    """One run of a job for one slot of its schedule. Inserting the row claims the slot: the
    unique (job, scheduled_for) lets one process in, and the others skip the run."""

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "scheduled_for"),
        one_of("outcome", JOB_OUTCOMES),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    job: Mapped[str] = mapped_column(String(50), nullable=False)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(10), nullable=False, default="running")
    # Counts, or the kind of error: never personal data.
    detail: Mapped[str | None] = mapped_column(String(DETAIL_MAX_LENGTH), nullable=True)
    runner: Mapped[str] = mapped_column(String(100), nullable=False)  # host:pid


class Notification(db.Model):  # type: ignore[name-defined]
    """A push message waiting to be sent, or what became of it. Jobs queue them; the dispatch
    job sends the due ones. The dedupe key is unique, so a reminder is never queued twice."""

    __tablename__ = "notifications"
    __table_args__ = (
        one_of("status", NOTIFICATION_STATUSES),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_notifications_due", "status", "not_before"),
        Index("ix_notifications_kind_record", "kind", "record_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    # The record the app opens (a meeting, a participant, a plan step), if any.
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # For kinds whose text says a number (api.push.payloads.COUNT_BODIES).
    count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # After this it is pointless (the meeting has begun): skipped, not sent.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    detail: Mapped[str | None] = mapped_column(String(DETAIL_MAX_LENGTH), nullable=True)


class PushPreference(db.Model):  # type: ignore[name-defined]
    """A user's choices; no row means the defaults (every kind on, quiet 20:00-08:00)."""

    __tablename__ = "push_preferences"
    __table_args__ = (
        CheckConstraint(
            "(quiet_start IS NULL AND quiet_end IS NULL) OR "
            "(quiet_start IS NOT NULL AND quiet_end IS NOT NULL AND quiet_start <> quiet_end)",
            name="quiet_hours_whole",
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # The kinds the user turned off (a list of kind names).
    kinds_off: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    # Local time of day; both null: no quiet hours.
    quiet_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    quiet_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
