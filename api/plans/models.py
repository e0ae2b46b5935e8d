"""Job-search plan (jobbsøkingsplan): goals (mål) and next steps (neste steg)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin, UTCDateTime, one_of
from api.extensions import db

GOAL_STATUSES = ("active", "achieved", "dropped")
STEP_OWNERS = ("participant", "specialist")


class PlanGoal(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "plan_goals"
    __table_args__ = (one_of("status", GOAL_STATUSES),)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=False, index=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    target_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class PlanStep(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "plan_steps"
    __table_args__ = (one_of("owner", STEP_OWNERS),)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("participants.id"), nullable=False, index=True
    )
    goal_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("plan_goals.id"), nullable=True, index=True
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("meetings.id"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    owner: Mapped[str] = mapped_column(String(20), nullable=False, default="participant")
