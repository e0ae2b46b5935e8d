"""A participant (deltaker), their consents (samtykke) and career profile (karriereprofil)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin, UTCDateTime, one_of
from api.extensions import db

PARTICIPANT_STATUSES = ("active", "paused", "closed")
COUNTERPARTS = ("employers", "therapist", "nav")


class Participant(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "participants"
    __table_args__ = (
        one_of("status", PARTICIPANT_STATUSES),
        CheckConstraint(
            "closed_on IS NULL OR closed_on >= enrolled_on", name="closed_after_enrolled"
        ),
        CheckConstraint("status <> 'closed' OR closed_on IS NOT NULL", name="closed_has_date"),
    )

    specialist_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=False, index=True
    )
    # The participant's own login, if they have one.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=True, unique=True
    )
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    enrolled_on: Mapped[date] = mapped_column(Date, nullable=False)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    # For the employment-rate denominator that counts only people out of work at entry.
    working_at_entry: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Set by erasure (api/rights): from then on no write to them or their records is accepted.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Consent(SyncableMixin, db.Model):  # type: ignore[name-defined]
    """One decision by the participant; the latest per counterpart is the one in force."""

    __tablename__ = "consents"
    __table_args__ = (one_of("counterpart", COUNTERPARTS),)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=False, index=True
    )
    counterpart: Mapped[str] = mapped_column(String(20), nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=True
    )
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


class CareerProfile(SyncableMixin, db.Model):  # type: ignore[name-defined]
    """What the participant wants from work. No field asks for health information."""

    __tablename__ = "career_profiles"

    participant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=False, unique=True
    )
    job_preferences: Mapped[str | None] = mapped_column(Text, nullable=True)
    strengths: Mapped[str | None] = mapped_column(Text, nullable=True)
    education: Mapped[str | None] = mapped_column(Text, nullable=True)
    work_history: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Åpenhet: what the participant wants an employer to be told; their choice alone.
    disclosure_preference: Mapped[str | None] = mapped_column(Text, nullable=True)
