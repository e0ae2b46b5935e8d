"""A conflict record: where two edits changed the same field, the losing value is kept here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import SyncableMixin, UTCDateTime
from api.extensions import db


class Conflict(SyncableMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "conflicts"

    entity: Mapped[str] = mapped_column(String(50), nullable=False)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    field: Mapped[str] = mapped_column(String(100), nullable=False)
    kept_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    other_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    # The user whose push arrived second and met the other edit, who is asked to look at it:
    # their value lost (server wins) or the earlier one did (client wins). docs/sync.md.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=True, index=True
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), nullable=True
    )
