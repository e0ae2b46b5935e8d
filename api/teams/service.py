"""Admin operations on teams and user accounts, and moving a participant between specialists."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from api.access import Actor
from api.accounts.models import Team, User
from api.auth.passwords import check_new_password
from api.auth.service import end_all_sign_ins, hash_password
from api.common.model import new_id
from api.common.records import update_record
from api.entities import ENTITIES
from api.errors import DomainError
from api.extensions import db
from api.offline.scope_changes import user_scope_changed
from api.participants.models import Participant
from api.rights.rules import write_refusal_after_erasure


def create_team(name: str) -> Team:
    if db.session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise DomainError(409, "A team with this name already exists.", {"name": "Taken."})
    team = Team(name=name)
    db.session.add(team)
    db.session.flush()
    return team


def _check_user(user: User, participant_id: Any) -> Participant | None:
    """Raise what is wrong with `user`; return the participant record its login belongs to."""
    # The user is half-changed here: nothing may be flushed before the checks pass.
    with db.session.no_autoflush:
        errors, participant = _user_problems(user, participant_id)
    if errors:
        raise DomainError(422, "Some fields are not valid; see 'errors' for what to fix.", errors)
    return participant


def _user_problems(user: User, participant_id: Any) -> tuple[dict[str, str], Participant | None]:
    errors: dict[str, str] = {}
    participant = None
    if user.role != "admin" and user.team_id is None:
        errors["team_id"] = "Everyone but an admin belongs to a team."
    if user.team_id is not None and db.session.get(Team, user.team_id) is None:
        errors["team_id"] = "No team with this id."
    if user.role == "participant":
        participant = db.session.get(Participant, participant_id) if participant_id else None
        if participant is None or participant.deleted_at is not None:
            errors["participant_id"] = "A participant login needs the participant it belongs to."
        elif participant.team_id != user.team_id:
            errors["participant_id"] = "This participant is in another team."
        elif participant.user_id not in (None, user.id):
            errors["participant_id"] = "This participant already has a login."
        elif (refusal := write_refusal_after_erasure(participant.erased_at)) is not None:
            errors["participant_id"] = refusal  # their login would hold their name again
    elif participant_id is not None:
        errors["participant_id"] = "Only a participant login is linked to a participant."
    return errors, participant


def create_user(data: dict[str, Any]) -> User:
    email = data["email"].strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DomainError(409, "A user with this e-mail already exists.", {"email": "Taken."})
    user = User(
        id=new_id(),
        email=email,
        name=data["name"],
        role=data["role"],
        team_id=data.get("team_id"),
        is_active=data.get("is_active", True),
        fte=data.get("fte", 100),
        # Without a password, one nobody knows until the user sets theirs with a link.
        password_hash=hash_password(data.get("password") or secrets.token_urlsafe(32)),
    )
    if data.get("password"):
        check_new_password(data["password"], email)
    participant = _check_user(user, data.get("participant_id"))
    db.session.add(user)
    db.session.flush()
    if participant is not None:
        participant.user_id = user.id
        db.session.flush()
    return user


def update_user(user: User, changes: dict[str, Any]) -> User:
    participant_id = changes.pop("participant_id", None)
    # What ends every sign-in of the account: a new password (the old one may be known to
    # someone else), deactivation, and a new role or team (the tokens carry the old ones).
    # Reactivation brings none of them back.
    ends_sign_ins = None
    if "password" in changes:
        check_new_password(changes["password"], user.email)
        user.password_hash = hash_password(changes.pop("password"))
        ends_sign_ins = "password reset"
    if changes.get("is_active") is False and user.is_active:
        ends_sign_ins = "account deactivated"
    if "email" in changes:
        email = changes.pop("email").strip().lower()
        taken = db.session.scalar(select(User.id).where(User.email == email, User.id != user.id))
        if taken is not None:
            raise DomainError(409, "A user with this e-mail already exists.", {"email": "Taken."})
        user.email = email
    moved = any(
        name in changes and changes[name] != getattr(user, name) for name in ("team_id", "role")
    )
    for name, value in changes.items():
        setattr(user, name, value)
    if moved:
        user_scope_changed(user.id)
        ends_sign_ins = ends_sign_ins or "role or team changed"
    if user.role == "participant" and participant_id is None:
        with db.session.no_autoflush:
            participant_id = db.session.scalar(
                select(Participant.id).where(Participant.user_id == user.id)
            )
    participant = _check_user(user, participant_id)
    if participant is not None:
        participant.user_id = user.id
    db.session.flush()
    if ends_sign_ins:  # once the change is known to be valid
        end_all_sign_ins(user.id, ends_sign_ins)
    return user


def transfer_participant(actor: Actor, participant: Participant, specialist_id: Any) -> None:
    """Move a participant to another specialist of their team: the same write as a changed
    specialist_id pushed from the app (api/common/records.py checks and follows it)."""
    update_record(actor, ENTITIES["participants"], participant, {"specialist_id": specialist_id})
