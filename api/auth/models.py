"""Refresh-token families: what rotation and revocation are stored as."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.common.model import UTCDateTime, new_id, utcnow
from api.extensions import db


class TokenFamily(db.Model):  # type: ignore[name-defined]
    """One sign-in on one device. Every access and refresh token it issues names it.

    Revoking the family (logout, or a reused refresh token) ends all of them at once.
    """

    __tablename__ = "token_families"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(50), nullable=True)


class RefreshToken(db.Model):  # type: ignore[name-defined]
    """A refresh token by its jti; `used_at` set when it was exchanged for a new pair, and
    `replaced_by` the jti of that pair's refresh token (a second exchange within the grace
    period gets the same pair again: api/auth/service.rotate)."""

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("token_families.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # When the pair was made: with the jti, enough to make the very same tokens again.
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PasswordLink(db.Model):  # type: ignore[name-defined]
    """A one-time code with which a user sets their own password (a new account, or a reset);
    only its hash is kept (api/auth/passwords.py)."""

    __tablename__ = "password_links"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    purpose: Mapped[str] = mapped_column(String(10), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
