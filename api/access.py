"""Who may read and write what: every route and the sync engine ask here, nowhere else.

A rule is a SQL condition over an entity's table, so the same rule filters a list, guards a
single read, and is checked again on a written row before the transaction commits. Each area
declares its entities' rules with the entity (register_entity in its package's __init__.py);
the models of accounts and participants, which the rules about people need, are registered by
api.teams and api.participants (register_accounts). This module imports no area.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from flask_jwt_extended import get_jwt_identity, verify_jwt_in_request
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from api.errors import DomainError
from api.extensions import db


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as the access rules need them."""

    id: uuid.UUID
    role: str
    team_id: uuid.UUID | None
    name: str
    participant_id: uuid.UUID | None = None


class Accounts:
    """The models of user accounts (api.teams) and participants (api.participants), as the
    rules about people need them; each area registers its own when it is imported."""

    def __init__(self) -> None:
        self._user: Any = None
        self._participant: Any = None

    @property
    def user(self) -> Any:
        if self._user is None:
            raise RuntimeError("No account model registered: import api.teams first.")
        return self._user

    @property
    def participant(self) -> Any:
        if self._participant is None:
            raise RuntimeError("No participant model registered: import api.participants first.")
        return self._participant


accounts = Accounts()


def register_accounts(*, user: Any = None, participant: Any = None) -> None:
    if user is not None:
        accounts._user = user
    if participant is not None:
        accounts._participant = participant


def actor_for(user: Any) -> Actor:
    participant_id = None
    if user.role == "participant":
        # Deleted or not (a login belongs to at most one participant): the devices of a
        # deleted participant still receive the tombstones of their plan.
        participant = accounts.participant
        participant_id = db.session.scalar(
            select(participant.id).where(participant.user_id == user.id)
        )
    return Actor(user.id, user.role, user.team_id, user.name, participant_id)


def current_actor(roles: tuple[str, ...] | None = None) -> Actor:
    """The signed-in, active user; 401 without a valid token, 403 for a role not in `roles`."""
    # Cached on the request itself: flask.g lives as long as the app context, which may span
    # several requests (a CLI or a test holding one open).
    actor: Actor | None = getattr(request, "feltlogg_actor", None)
    if actor is None:
        verify_jwt_in_request()
        user = db.session.get(accounts.user, uuid.UUID(get_jwt_identity()))
        if user is None or not user.is_active:
            raise DomainError(401, "This account is no longer active.", code="account_inactive")
        actor = actor_for(user)
        request.feltlogg_actor = actor  # type: ignore[attr-defined]
    if roles is not None and actor.role not in roles:
        raise DomainError(
            403,
            f"This needs the role {' or '.join(roles)}; you are {actor.role}.",
            code="role_forbidden",
        )
    return actor


# --- Scopes: which rows an actor may see --------------------------------------------------

Scope = Callable[[Actor], ColumnElement[bool]]


def caseload(actor: Actor) -> Any:
    """The ids of the participants on `actor`'s caseload."""
    # Deleted participants included: their records are tombstoned with them
    # (api.participants.tombstone_caseload_records), and the tombstones must reach the devices.
    participant = accounts.participant
    return select(participant.id).where(participant.specialist_id == actor.id)


def team_rows(model: Any) -> Scope:
    return lambda actor: model.team_id == actor.team_id


def on_caseload(model: Any) -> Scope:
    return lambda actor: and_(
        model.team_id == actor.team_id, model.participant_id.in_(caseload(actor))
    )


def own_participant_rows(model: Any) -> Scope:
    return lambda actor: (
        model.participant_id == actor.participant_id if actor.participant_id else false()
    )


def own_rows(model: Any, column: str = "specialist_id") -> Scope:
    return lambda actor: and_(model.team_id == actor.team_id, getattr(model, column) == actor.id)


def everything(actor: Actor) -> ColumnElement[bool]:
    return true()


# Free text a supervisor does not read: "counts and summaries, not note text" (domain.md).
# tests/test_minimisation.py proves it for every route and the sync pull.
NOTE_FIELDS = frozenset(
    {
        "notes",
        "purpose",
        "outcome",
        "place",
        "title",
        "agreed_next_steps",
        "comment_private",
        "job_preferences",
        "strengths",
        "education",
        "work_history",
        "disclosure_preference",
        "note",
        "phone",
        "email",
        "description",
    }
)


@dataclass(frozen=True)
class EntityAccess:
    """The rules for one entity: read scope per role, and which roles write which fields."""

    read: dict[str, Scope]
    write: dict[str, frozenset[str] | None] = field(default_factory=dict)  # None = all fields
    create_roles: frozenset[str] = frozenset()
    delete_roles: frozenset[str] = frozenset()
    hidden: dict[str, frozenset[str]] = field(default_factory=dict)
    # Why a role's scope lets it reach the rows, where it is not ROLE_REASONS' (audit log).
    reasons: dict[str, str] = field(default_factory=dict)


def specialist_writes(read: dict[str, Scope], **extra: Any) -> EntityAccess:
    """The usual rules: specialists create, change and delete; supervisors read without notes."""
    hidden = extra.pop("hidden", {})
    return EntityAccess(
        read=read,
        write={"specialist": None},
        create_roles=frozenset({"specialist"}),
        delete_roles=frozenset({"specialist"}),
        hidden={"supervisor": NOTE_FIELDS, **hidden},
        **extra,
    )


# Each entity's rules, registered with the entity (api.common.entity.register_entity).
RULES: dict[str, EntityAccess] = {}


def register_rules(entity: str, rules: EntityAccess) -> None:
    RULES[entity] = rules


def rules_for(entity: str) -> EntityAccess:
    return RULES[entity]


def read_scope(actor: Actor, entity: str) -> ColumnElement[bool] | None:
    """The condition on rows `actor` may read, or None if their role reads none of them."""
    scope = RULES[entity].read.get(actor.role)
    return scope(actor) if scope else None


def writable_fields(actor: Actor, entity: str) -> frozenset[str] | None:
    """Fields `actor` may change (None = all); DomainError (403) if they may change none."""
    rules = RULES[entity]
    if actor.role not in rules.write:
        raise DomainError(
            403, f"A {actor.role} may not change {entity.replace('_', ' ')}.", code="not_permitted"
        )
    return rules.write[actor.role]


def hidden_fields_for(actor: Actor, entity: str) -> frozenset[str]:
    return RULES[entity].hidden.get(actor.role, frozenset())


# Why each role may reach a participant's data, as the audit log records it: a specialist
# their own caseload, a supervisor their team, a participant themself, an admin everything.
ROLE_REASONS = {
    "specialist": "own_caseload",
    "supervisor": "team_supervisor",
    "participant": "self",
    "admin": "admin",
}


def why_allowed(actor: Actor, entity: str | None = None) -> str:
    """The rule that let `actor` read or write a participant's rows of `entity` (without one: a
    report or export about the participant), as a short code for the audit log."""
    reasons = RULES[entity].reasons if entity is not None and entity in RULES else {}
    return reasons.get(actor.role) or ROLE_REASONS.get(actor.role, actor.role)


def may_name_specialist(actor: Actor, specialist_id: uuid.UUID) -> bool:
    """Whether `actor` may set a record's specialist_id to `specialist_id`.

    A specialist records their own work: a colleague's name on it would count in the colleague's
    weekly numbers and fidelity scores. (A supervisor names the specialist of a week review.)
    """
    return actor.role != "specialist" or specialist_id == actor.id


def team_scope(actor: Actor, team_id: Any) -> ColumnElement[bool]:
    """The teams `actor` may see, as a condition on a team id column: an admin every team,
    everyone else their own."""
    return true() if actor.role == "admin" else team_id == actor.team_id


def may_see_team(actor: Actor, team_id: uuid.UUID) -> bool:
    """team_scope for one team."""
    return actor.role == "admin" or actor.team_id == team_id


def may_exercise_rights(actor: Actor, participant: Any) -> bool:
    """Whether `actor` may export or erase `participant`'s data (GDPR rights): the participant
    themself, their own specialist while they are on the caseload, or an admin (tombstones
    too)."""
    if actor.role == "admin":
        return True
    if actor.role == "participant":
        return actor.participant_id == participant.id
    return (
        actor.role == "specialist"
        and participant.deleted_at is None
        and participant.specialist_id == actor.id
        and participant.team_id == actor.team_id
    )


def user_scope(actor: Actor) -> ColumnElement[bool]:
    """The accounts `actor` may see: an admin all of them; others the staff of their team, and a
    specialist also the logins of their own caseload. A participant's login (name, e-mail) is
    data about that participant, so it follows the participant's own rules."""
    if actor.role == "admin":
        return true()
    if actor.role not in ("specialist", "supervisor"):
        return false()
    user, participant = accounts.user, accounts.participant
    staff = and_(user.team_id == actor.team_id, user.role.in_(("specialist", "supervisor")))
    if actor.role == "supervisor":
        return staff
    own_logins = select(participant.user_id).where(
        participant.specialist_id == actor.id,
        participant.team_id == actor.team_id,
        participant.deleted_at.is_(None),
        participant.user_id.is_not(None),
    )
    return or_(staff, user.id.in_(own_logins))


def report_specialists(actor: Actor, team_id: uuid.UUID | None) -> ColumnElement[bool]:
    """The specialists whose numbers `actor` may see in reports: a supervisor their team's, a
    specialist their own, an admin those of the team they name. Participants see no reports.
    Raises DomainError with what to do otherwise."""
    user = accounts.user
    if actor.role == "participant":
        raise DomainError(403, "Reports are for the service's staff.", code="role_forbidden")
    if actor.role == "admin":
        if team_id is None:
            raise DomainError(
                422, "Name the team with team_id.", {"team_id": ["Name the team with team_id."]}
            )
        return and_(user.team_id == team_id, user.role == "specialist")
    if team_id is not None and team_id != actor.team_id:
        raise DomainError(404, "No team with this id.", {"team_id": ["No team with this id."]})
    if actor.role == "specialist":
        return user.id == actor.id
    return and_(user.team_id == actor.team_id, user.role == "specialist")
