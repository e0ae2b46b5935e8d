"""The audit log's one table. Rows hold ids and short codes only, never names or free text, so
they stay as they are when a participant is erased; on PostgreSQL a trigger refuses UPDATE, DELETE
and TRUNCATE (migrations/versions/d4e5f6a7b8c9_audit_log_and_erasure_mark.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import UTCDateTime, new_id, one_of
from api.extensions import db

AUDIT_ACTIONS = ("read", "create", "update", "delete", "export", "erase")
# A session setting that lets one transaction change or empty the table on PostgreSQL; for
# retention only: the scheduler's nightly purge (api/audit/retention.py), which deletes nothing
# younger than AUDIT_RETENTION_DAYS, or a database administrator's job (docs/security.md).
MAINTENANCE_SETTING = "feltlogg.audit_maintenance"


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """One actor's access to one participant's records of one entity, in one request."""

    __tablename__ = "audit_log"
    __table_args__ = (
        one_of("action", AUDIT_ACTIONS),
        CheckConstraint("record_count >= 1", name="record_count_positive"),
        Index("ix_audit_log_participant_id_at", "participant_id", "at"),
        Index("ix_audit_log_actor_id_at", "actor_id", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)  # server time
    # The request the access was part of: rows of one request share it (null outside requests).
    request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    # No foreign keys: the log outlives anything it mentions.
    actor_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    actor_role: Mapped[str] = mapped_column(String(20), nullable=False)
    action: Mapped[str] = mapped_column(String(10), nullable=False)
    entity: Mapped[str] = mapped_column(String(50), nullable=False)
    # The record, when the request touched one of this entity for the participant; else null,
    # and record_count says how many.
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    record_count: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    participant_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    # Why the actor was allowed: a code from api.access.why_allowed, e.g. "own_caseload".
    reason: Mapped[str] = mapped_column(String(30), nullable=False)
    # The route that served the request (Flask's endpoint name), e.g. "sync.pull_route".
    endpoint: Mapped[str | None] = mapped_column(String(100), nullable=True)
