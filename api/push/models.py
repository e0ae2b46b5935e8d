"""A browser's push subscription: where a push service takes messages for one device."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import UTCDateTime, new_id, utcnow
from api.extensions import db

ENDPOINT_MAX_LENGTH = 2048


class PushSubscription(db.Model):  # type: ignore[name-defined]
    """What `pushManager.subscribe()` gave one browser of one user. Not synced: it lives on
    the server only. An endpoint is one browser's, so it is unique across users."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (CheckConstraint("failure_count >= 0", name="failure_count_not_negative"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    endpoint: Mapped[str] = mapped_column(String(ENDPOINT_MAX_LENGTH), nullable=False, unique=True)
    # The browser's ECDH public key and auth secret, base64url as the browser wrote them.
    p256dh: Mapped[str] = mapped_column(String(100), nullable=False)
    auth: Mapped[str] = mapped_column(String(50), nullable=False)
    device: Mapped[str | None] = mapped_column(String(100), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Failures since the last delivery (or since the browser subscribed again).
    failure_count: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
