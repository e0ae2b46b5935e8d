"""Week review: the supervisor has looked at a specialist's employer-contact log for a week."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin, UTCDateTime
from api.extensions import db


class WeekReview(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "week_reviews"
    __table_args__ = (
        CheckConstraint("iso_week >= 1 AND iso_week <= 53", name="iso_week_range"),
        CheckConstraint("iso_year >= 2000 AND iso_year <= 2100", name="iso_year_range"),
        Index(
            "uq_week_reviews_specialist_week_live",
            "specialist_id",
            "iso_year",
            "iso_week",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    specialist_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=False, index=True
    )
    iso_year: Mapped[int] = mapped_column(Integer, nullable=False)
    iso_week: Mapped[int] = mapped_column(Integer, nullable=False)
    reviewed_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), nullable=False)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    @property
    def week(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"
