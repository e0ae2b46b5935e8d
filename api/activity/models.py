"""Employer contacts (arbeidsgiverkontakt), participant meetings (møte) and team meetings."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin, UTCDateTime, one_of, utcnow
from api.extensions import db

CONTACT_MODES = ("in_person", "phone", "email", "video")
FACE_TO_FACE_MODES = ("in_person",)
MEETING_SETTINGS = ("community", "office")
MEETING_KINDS = (
    "intake",
    "career_profile",
    "job_search",
    "interview_preparation",
    "benefits_counselling",
    "follow_along",
    "three_party",
    "other",
)
MEETING_STATUSES = ("planned", "held", "cancelled", "no_show")
TEAM_MEETING_KINDS = ("treatment_team", "nav", "other")


class EmployerContact(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "employer_contacts"
    __table_args__ = (one_of("mode", CONTACT_MODES),)

    employer_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("employers.id"), nullable=False, index=True
    )
    # Null for general job development; a named participant needs their consent.
    participant_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=True, index=True
    )
    specialist_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=False, index=True
    )
    contacted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    # When the specialist logged it (the phone's clock), which may be days after it happened.
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    mode: Mapped[str] = mapped_column(String(20), nullable=False, default="in_person")
    purpose: Mapped[str | None] = mapped_column(String(200), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(500), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def face_to_face(self) -> bool:
        return self.mode in FACE_TO_FACE_MODES


class Meeting(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "meetings"
    __table_args__ = (
        one_of("setting", MEETING_SETTINGS),
        one_of("kind", MEETING_KINDS),
        one_of("status", MEETING_STATUSES),
        CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 1440", name="duration_in_a_day"
        ),
    )

    participant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=False, index=True
    )
    specialist_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=False, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    # When the specialist logged it (the phone's clock): a meeting may be logged afterwards.
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    setting: Mapped[str] = mapped_column(String(20), nullable=False)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    agreed_next_steps: Mapped[str | None] = mapped_column(Text, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)


class TeamMeeting(SyncableMixin, db.Model):  # type: ignore[name-defined]
    """The weekly treatment-team meeting a specialist attends (a fidelity item)."""

    __tablename__ = "team_meetings"
    __table_args__ = (
        one_of("kind", TEAM_MEETING_KINDS),
        CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 1440", name="duration_in_a_day"
        ),
    )

    specialist_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=False, index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, default="treatment_team")
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
