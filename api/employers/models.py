"""An employer (arbeidsgiver), shared by the specialists of a team."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin
from api.extensions import db


class Employer(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "employers"
    __table_args__ = (
        CheckConstraint("org_number IS NULL OR length(org_number) = 9", name="org_number_length"),
        # One live employer per organisation number in a team; tombstones don't count.
        Index(
            "uq_employers_team_org_number_live",
            "team_id",
            "org_number",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    org_number: Mapped[str | None] = mapped_column(String(9), nullable=True)
    industry: Mapped[str | None] = mapped_column(String(100), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    contact_person: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
