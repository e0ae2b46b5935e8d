"""Passwords people choose themselves: the policy, and one-time links to set one.

The policy follows NIST SP 800-63B and NSM's advice: length, not composition rules. A new password
has at least PASSWORD_MIN_LENGTH characters (15 unless set: 800-63B-4's minimum where a password
is the only factor) and at most 128, and is refused if it is a known common password (the list
shipped in api/auth/data, from Django), one character repeated, or built on the service's name or
the user's own e-mail address. Nothing else is asked of it: a long phrase in plain words is good.

A new user, or one who forgot their password, gets a one-time link from an admin
(`POST /api/v1/users/<id>/password-link`) and sets the password themself: no admin ever knows it.
Only a hash of the link's code is stored; it works once, for PASSWORD_LINK_HOURS.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from api.accounts.models import User
from api.auth.models import PasswordLink, TokenFamily
from api.auth.service import end_all_sign_ins, hash_password, password_matches
from api.common.model import utcnow
from api.errors import DomainError
from api.extensions import db

MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# Words of this service, and Norwegian ones that breached lists in English miss.
CONTEXT_WORDS = ("feltlogg", "jobbspesialist", "passord", "hemmelig")
PURPOSES = ("invite", "reset")


@cache
def _common() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def min_length() -> int:
    return int(current_app.config["PASSWORD_MIN_LENGTH"])


def password_problem(password: str, email: str | None = None) -> str | None:
    """What is wrong with `password` as a new password, in words to act on; None if nothing."""
    shortest = min_length()
    if len(password) < shortest:
        return f"Use at least {shortest} characters: a few words you remember make a good password."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    folded = password.strip().lower()
    squeezed = "".join(folded.split())
    if folded in _common() or squeezed in _common() or len(set(squeezed)) <= 2:
        return "This password is too common or too simple; pick another."
    local = (email or "").split("@")[0].lower()
    words = [*CONTEXT_WORDS, *([local] if len(local) >= 4 else [])]
    if any(word in squeezed and len(squeezed) - len(word) < shortest for word in words):
        return "Do not build the password on your e-mail address or the service's name."
    return None


def check_new_password(password: str, email: str | None, field: str = "password") -> None:
    problem = password_problem(password, email)
    if problem is not None:
        raise DomainError(422, problem, {field: [problem]}, code="weak_password")


def _hashed(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_link(user: User, purpose: str, created_by: uuid.UUID | None) -> dict[str, Any]:
    """A new one-time code for `user` to set their password; earlier unused ones stop working.
    The caller commits. Returns the code (shown once), when it expires, and the app's path."""
    now = utcnow()
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    code = secrets.token_urlsafe(24)
    expires_at = now + timedelta(hours=int(current_app.config["PASSWORD_LINK_HOURS"]))
    db.session.add(
        PasswordLink(
            user_id=user.id,
            code_hash=_hashed(code),
            purpose=purpose,
            expires_at=expires_at,
            created_by=created_by,
        )
    )
    return {
        "code": code,
        "purpose": purpose,
        "expires_at": expires_at,
        "path": f"/#/password/{code}",
    }


INVALID_LINK = (
    "This link is not valid: it was used already, has expired, or was replaced by a newer one. "
    "Ask your administrator for a new link."
)


def _live_link(code: str, now: datetime) -> tuple[PasswordLink, User]:
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.code_hash == _hashed(code)))
    user = db.session.get(User, link.user_id) if link is not None else None
    if link is None or user is None or link.used_at is not None or link.expires_at <= now:
        raise DomainError(404, INVALID_LINK, code="link_invalid")
    if not user.is_active:
        raise DomainError(404, INVALID_LINK, code="link_invalid")
    return link, user


def whose_link(code: str) -> dict[str, Any]:
    """Whom a link is for (their name and e-mail, to show on the page that sets the password)."""
    link, user = _live_link(code, utcnow())
    return {"email": user.email, "name": user.name, "purpose": link.purpose}


def set_password_with_link(code: str, password: str) -> User:
    """Set the password of the link's user; the link is spent and every sign-in of the user
    ends (a reset must lock out whoever knew the old one). The caller commits."""
    now = utcnow()
    link, user = _live_link(code, now)
    check_new_password(password, user.email)
    claimed = db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError(404, INVALID_LINK, code="link_invalid")  # used at the same moment
    user.password_hash = hash_password(password)
    end_all_sign_ins(user.id, "password set with a link")
    return user


def change_own_password(
    user_id: uuid.UUID, family_id: uuid.UUID, current_password: str, new_password: str
) -> None:
    """A signed-in user's new password; their other sign-ins end. The caller commits."""
    user = db.session.get(User, user_id)
    assert user is not None  # the caller is signed in
    if not password_matches(user.password_hash, current_password):
        raise DomainError(
            422,
            "The current password is not right.",
            {"current_password": ["Not your current password."]},
            code="wrong_password",
        )
    check_new_password(new_password, user.email, field="new_password")
    user.password_hash = hash_password(new_password)
    db.session.execute(
        update(TokenFamily)
        .where(
            TokenFamily.user_id == user.id,
            TokenFamily.id != family_id,
            TokenFamily.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow(), revoked_reason="password changed")
    )
