"""Passwords, sign-in and the token family: rotation on refresh, revocation on reuse or logout."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy import select, update

from api.accounts.models import User
from api.auth.models import RefreshToken, TokenFamily
from api.common.model import utcnow
from api.extensions import db

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


def issue_tokens(user: User, family: TokenFamily, replacing: str | None = None) -> dict[str, Any]:
    """A new access and refresh token in `family` (in exchange for refresh token `replacing`);
    the caller commits."""
    jti = str(uuid.uuid4())
    if replacing is not None:
        db.session.execute(
            update(RefreshToken).where(RefreshToken.jti == replacing).values(replaced_by=jti)
        )
    issued_at = datetime.fromtimestamp(int(utcnow().timestamp()), UTC)  # JWTs count seconds
    pair = _mint(user, family.id, jti, issued_at)
    db.session.add(
        RefreshToken(
            jti=jti,
            family_id=family.id,
            issued_at=issued_at,
            expires_at=issued_at + _ttls()[1],
        )
    )
    return pair


def _ttls() -> tuple[timedelta, timedelta]:
    config = current_app.config
    return (
        timedelta(minutes=config["ACCESS_TOKEN_MINUTES"]),
        timedelta(days=config["REFRESH_TOKEN_DAYS"]),
    )


def _mint(user: User, family_id: uuid.UUID, jti: str, issued_at: datetime) -> dict[str, Any]:
    """The token pair of refresh token `jti`, issued at `issued_at`. Every claim is given, so
    the same arguments make the very same tokens (HS256 signs deterministically): that is how
    a refresh repeated within the grace period gets the pair already issued."""
    access_ttl, refresh_ttl = _ttls()
    claims = _claims(user, family_id)
    at = int(issued_at.timestamp())

    def token(token_jti: str, ttl: timedelta) -> dict[str, Any]:
        return {
            **claims,
            "jti": token_jti,
            "iat": at,
            "nbf": at,
            "exp": at + int(ttl.total_seconds()),
            # flask-jwt-extended adds a random CSRF value (for cookies, which we do not use).
            "csrf": token_jti,
        }

    # The access token's id follows from the refresh token's, so it too is made again alike.
    access_jti = str(uuid.uuid5(uuid.NAMESPACE_URL, f"feltlogg:access:{jti}"))
    access = create_access_token(
        str(user.id),
        expires_delta=access_ttl,
        additional_claims=token(access_jti, access_ttl),
    )
    refresh = create_refresh_token(
        str(user.id),
        expires_delta=refresh_ttl,
        additional_claims=token(jti, refresh_ttl),
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


def end_all_sign_ins(user_id: uuid.UUID, reason: str) -> int:
    """Revoke every sign-in of the user at once (their access and refresh tokens answer 401
    from the next request on); how many were still open. The caller commits."""
    result = db.session.execute(
        update(TokenFamily)
        .where(TokenFamily.user_id == user_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def family_is_revoked(family_id: str | None, user_id: str | None = None) -> bool:
    """Whether a token of this family is refused: the family is unknown or revoked (or, with
    `user_id`, belongs to someone else). With `user_id`, the user is loaded in the same query,
    into the session, so that the request's sign-in costs one query, not two."""
    if not family_id:
        return True
    try:
        key = uuid.UUID(family_id)
        owner = uuid.UUID(user_id) if user_id is not None else None
    except ValueError:
        return True
    if owner is None:
        family = db.session.get(TokenFamily, key)
        return family is None or family.revoked_at is not None
    user = db.session.scalars(
        select(User)
        .join(TokenFamily, TokenFamily.user_id == User.id)
        .where(User.id == owner, TokenFamily.id == key, TokenFamily.revoked_at.is_(None))
    ).first()
    return user is None


REUSED = (
    "This refresh token was already used, so this sign-in has been ended on every device that "
    "shared it. Sign in again."
)


def rotate(jwt_claims: dict[str, Any]) -> tuple[User, dict[str, Any]]:
    """Exchange a refresh token for a new pair. A second use of the same one ends the family,
    unless it comes within REFRESH_REUSE_GRACE_SECONDS of the first: then it is the honest race
    of two parts of one app (the page and its service worker) refreshing at once, and it gets
    the pair the first use was given."""
    family_id = uuid.UUID(jwt_claims["fam"])
    now = utcnow()
    claimed = db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == jwt_claims["jti"], RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    user = db.session.get(User, uuid.UUID(jwt_claims["sub"]))
    family = db.session.get(TokenFamily, family_id)
    if user is None or not user.is_active or family is None or family.revoked_at is not None:
        revoke_family(family_id, "account disabled")
        db.session.commit()
        raise AuthError(SIGN_IN_FAILED)
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        again = _pair_already_issued(jwt_claims["jti"], user, now)
        if again is not None:
            return user, again
        revoke_family(family_id, "refresh token reused")
        db.session.commit()
        raise AuthError(REUSED)
    return user, issue_tokens(user, family, replacing=jwt_claims["jti"])


def _pair_already_issued(jti: str, user: User, now: datetime) -> dict[str, Any] | None:
    """The newest pair of the chain that refresh token `jti` began, if it was exchanged within
    the grace period (following each exchange made within it: a winner that refreshed twice in
    those seconds)."""
    grace = timedelta(seconds=current_app.config["REFRESH_REUSE_GRACE_SECONDS"])
    token = db.session.get(RefreshToken, jti)
    for _ in range(10):
        if token is None or token.used_at is None or token.replaced_by is None:
            return None
        if now - token.used_at > grace:
            return None
        successor = db.session.get(RefreshToken, token.replaced_by)
        if successor is None or successor.issued_at is None:
            return None
        if successor.used_at is None:
            return _mint(user, successor.family_id, successor.jti, successor.issued_at)
        token = successor
    return None
