"""A job match (jobbmatch): lead → applied → interview → offer → hired → ended."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin, one_of
from api.extensions import db

JOB_STATUSES = ("lead", "applied", "interview", "offer", "hired", "ended", "declined", "rejected")
END_REASONS = ("quit", "dismissed", "temporary_job_ended", "better_job", "other")


class JobMatch(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "job_matches"
    __table_args__ = (
        one_of("status", JOB_STATUSES),
        one_of("end_reason", END_REASONS),
        CheckConstraint(
            "ended_on IS NULL OR started_on IS NULL OR ended_on >= started_on",
            name="ended_after_started",
        ),
        CheckConstraint(
            "hours_per_week IS NULL OR (hours_per_week > 0 AND hours_per_week <= 80)",
            name="hours_per_week_range",
        ),
        CheckConstraint(
            "status NOT IN ('hired', 'ended') OR started_on IS NOT NULL", name="hired_has_start"
        ),
    )

    participant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=False, index=True
    )
    employer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("employers.id"), nullable=False, index=True
    )
    job_title: Mapped[str] = mapped_column(String(200), nullable=False)
    job_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="lead")
    started_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    hours_per_week: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Ordinary job, ordinary wage, open to anyone; False for wage-subsidised (lønnstilskudd).
    competitive: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    end_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
