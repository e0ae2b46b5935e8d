"""Passwords, sign-in and the token family: rotation on refresh, revocation on reuse or logout."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import select, update

from api.auth.models import RefreshToken, TokenFamily
from api.common.model import utcnow
from api.extensions import db
from api.teams.models import User

# argon2id with argon2-cffi's defaults (RFC 9106's second recommendation): about a fifth of a
# second of one core and 64 MiB per hash or check, on purpose.
_STRONG = PasswordHasher()
# The same argon2id and code path with the cheapest parameters, for an app made with
# TESTING=True (settable only from code, never from the environment): the suite signs in
# thousands of times. tests/test_auth.py holds that other apps hash with _STRONG.
_CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
# Verified against when the e-mail is unknown, so that the answer takes as long either way.
_DUMMY_HASHES = {id(h): h.hash("not a real password") for h in (_STRONG, _CHEAP)}


def _hasher() -> PasswordHasher:
    return _CHEAP if has_app_context() and current_app.testing else _STRONG


class AuthError(Exception):
    """Sign-in refused. The message is the same whatever the reason, on purpose."""


SIGN_IN_FAILED = "Wrong e-mail or password, or the account is disabled."


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        password_matches(_DUMMY_HASHES[id(_hasher())], password)
        raise AuthError(SIGN_IN_FAILED)
    if not password_matches(user.password_hash, password) or not user.is_active:
        raise AuthError(SIGN_IN_FAILED)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _claims(user: User, family_id: uuid.UUID) -> dict[str, Any]:
    return {
        "role": user.role,
        "team_id": str(user.team_id) if user.team_id else None,
        "fam": str(family_id),
    }


def issue_tokens(user: User, family: TokenFamily) -> dict[str, Any]:
    """A new access and refresh token in `family`; the caller commits."""
    config = current_app.config
    access_ttl = timedelta(minutes=config["ACCESS_TOKEN_MINUTES"])
    refresh_ttl = timedelta(days=config["REFRESH_TOKEN_DAYS"])
    claims = _claims(user, family.id)
    access = create_access_token(str(user.id), additional_claims=claims, expires_delta=access_ttl)
    refresh = create_refresh_token(
        str(user.id), additional_claims=claims, expires_delta=refresh_ttl
    )
    decoded = decode_token(refresh)
    db.session.add(
        RefreshToken(
            jti=decoded["jti"],
            family_id=family.id,
            expires_at=datetime.fromtimestamp(decoded["exp"], UTC),
        )
    )
    return {
        "access_token": access,
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": int(access_ttl.total_seconds()),
    }


def sign_in(email: str, password: str) -> tuple[User, dict[str, Any]]:
    user = authenticate(email, password)
    family = TokenFamily(user_id=user.id)
    db.session.add(family)
    db.session.flush()
    return user, issue_tokens(user, family)


def revoke_family(family_id: uuid.UUID, reason: str) -> None:
    db.session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


def family_is_revoked(family_id: str | None) -> bool:
    if not family_id:
        return True
    try:
        key = uuid.UUID(family_id)
    except ValueError:
        return True
    family = db.session.get(TokenFamily, key)
    return family is None or family.revoked_at is not None


def rotate(jwt_claims: dict[str, Any]) -> tuple[User, dict[str, Any]]:
    """Exchange a refresh token for a new pair. A second use of the same one ends the family."""
    family_id = uuid.UUID(jwt_claims["fam"])
    claimed = db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == jwt_claims["jti"], RefreshToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        revoke_family(family_id, "refresh token reused")
        db.session.commit()
        raise AuthError(
            "This refresh token was already used, so this sign-in has been ended "
            "on every device that shared it. Sign in again."
        )
    user = db.session.get(User, uuid.UUID(jwt_claims["sub"]))
    family = db.session.get(TokenFamily, family_id)
    if user is None or not user.is_active or family is None:
        revoke_family(family_id, "account disabled")
        db.session.commit()
        raise AuthError(SIGN_IN_FAILED)
    return user, issue_tokens(user, family)
