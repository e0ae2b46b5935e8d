"""Schemathesis against the app, in-process: no input a fuzzer can make gets a 500, bad input is
refused with a 4xx, and every answer is what /api/openapi.json documents.

One test per operation of the document (so a new route is fuzzed the day it is documented). Each
runs Hypothesis-generated requests, valid ones and schema-violating ones, as a participant, a
supervisor, an admin and a specialist, each signed in through POST /api/v1/auth/login. To reach
past "not found", generated ids are sometimes replaced by ids of seeded records (the caller's
own, or another team's), and generated times by realistic ones.

Bounded for CI: few examples per role, derandomized (the same requests every run), no shrinking
(a failure prints the request to reproduce it with). What the fuzzer found is kept as rows of
tests/test_bad_input.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete, select, update

from api import create_app
from api.accounts.models import Team, User
from api.auth.models import RefreshToken, TokenFamily
from api.extensions import db
from tests.audit_maintenance import allow_audit_log_maintenance
from tests.database import empty_every_table
from tests.factories import Factory

API = "/api/v1"
# Roles in the order they fuzz one operation: those who mostly read first, so the seeded
# records are still there for them; the specialist, who writes most, last.
EXAMPLES = {"participant": 6, "supervisor": 6, "admin": 6, "specialist": 24}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Teams, users and transfers are the admin's: there the admin gets the specialist's share.
ADMIN_PATHS = (f"{API}/teams", f"{API}/users", f"{API}/participants/{{participant_id}}/transfer")
# Operations that end or rotate the sign-in they are called with get a sign-in of their own.
OWN_SIGN_IN = {f"POST {API}/auth/logout", f"POST {API}/auth/refresh"}
ACCOUNT_TABLES = {"teams", "users", "token_families", "refresh_tokens"}
ACCOUNT_COLUMNS = ("email", "name", "role", "team_id", "is_active", "fte", "password_hash")
TIMES = ["2026-11-20T10:00:00+01:00", "2026-03-29T02:30:00+02:00", "2025-12-31T23:59:59Z"]
DATES = ["2026-09-01", "2026-02-28", "2024-02-29"]


def _operations() -> list[str]:
    """Every operation in the document, read from an app made for the purpose (collection
    happens before the session's app exists)."""
    app = create_app(
        {
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "x" * 40,
            "JWT_SECRET_KEY": "y" * 40,
            "TESTING": True,
        }
    )
    spec = app.test_client().get("/api/openapi.json").json
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    ]


OPERATIONS = _operations()


# --- The world: accounts signed in once for the module, records rebuilt for every test ----


@dataclass
class World:
    app: Flask
    client: FlaskClient
    emails: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    accounts: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    teams: set[uuid.UUID] = field(default_factory=set)
    ids: dict[str, str] = field(default_factory=dict)

    def sign_in(self, role: str) -> dict[str, Any]:
        response = self.client.post(
            f"{API}/auth/login", json={"email": self.emails[role], "password": Factory.PASSWORD}
        )
        assert response.status_code == 200, response.json
        return dict(response.json)


class _BatchFactory(Factory):
    """The test factories, flushing instead of committing: a rebuild is one transaction."""

    def _save(self, obj: Any) -> Any:
        db.session.add(obj)
        db.session.flush()
        return obj


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    built = World(app, app.test_client())
    with app.app_context():
        db.session.remove()
        empty_every_table()
        f = Factory()
        team, other_team = f.team(), f.team()
        users = {
            "specialist": f.user("specialist", team=team),
            "supervisor": f.user("supervisor", team=team),
            "participant": f.user("participant", team=team),
            "admin": f.user("admin"),
            "other_specialist": f.user("specialist", team=other_team),
        }
        built.teams = {team.id, other_team.id}
        built.accounts = {
            user.id: {c: getattr(user, c) for c in ACCOUNT_COLUMNS} for user in users.values()
        }
        built.emails = {role: user.email for role, user in users.items()}
        built.ids = {f"{role}_user": str(user.id) for role, user in users.items()}
        built.ids.update(team=str(team.id), other_team=str(other_team.id))
        db.session.remove()
    for role in EXAMPLES:
        built.tokens[role] = built.sign_in(role)["access_token"]
    yield built
    with app.app_context():
        db.session.remove()
        empty_every_table()


def _restore_accounts(world: World) -> None:
    """Accounts as they were: fuzzed admin writes may have added, renamed or disabled some."""
    ours = list(world.accounts)
    strangers = select(TokenFamily.id).where(TokenFamily.user_id.not_in(ours))
    db.session.execute(delete(RefreshToken).where(RefreshToken.family_id.in_(strangers)))
    db.session.execute(delete(TokenFamily).where(TokenFamily.user_id.not_in(ours)))
    db.session.execute(delete(User).where(User.id.not_in(ours)))
    db.session.execute(delete(Team).where(Team.id.not_in(world.teams)))
    # A fuzzed rename may have given one of ours another's address: free them all first.
    for user_id in ours:
        db.session.execute(
            update(User).where(User.id == user_id).values(email=f"{user_id}@restoring.invalid")
        )
    for user_id, columns in world.accounts.items():
        db.session.execute(update(User).where(User.id == user_id).values(**columns))


def _seed_records(world: World) -> None:
    """One record of every kind in the caller's team, and a few in another team."""
    f = _BatchFactory()
    user = {
        role: db.session.get(User, uuid.UUID(world.ids[f"{role}_user"]))
        for role in ("specialist", "supervisor", "participant", "other_specialist")
    }
    team = db.session.get(Team, uuid.UUID(world.ids["team"]))
    other_team = db.session.get(Team, uuid.UUID(world.ids["other_team"]))
    participant = f.participant(user["specialist"], user_id=user["participant"].id)
    employer = f.employer(team)
    f.consent(participant, "employers", granted=True)
    other_participant = f.participant(user["other_specialist"])
    other_employer = f.employer(other_team)
    meeting = f.meeting(participant)
    goal = f.goal(participant)
    records = {
        "participants": participant,
        "employers": employer,
        "meetings": meeting,
        "plan_goals": goal,
        "consents": f.consent(participant, "nav"),
        "career_profiles": f.career_profile(participant),
        "employer_contacts": f.employer_contact(
            user["specialist"], employer, participant_id=participant.id
        ),
        "team_meetings": f.team_meeting(user["specialist"]),
        "job_matches": f.job_match(participant, employer),
        "plan_steps": f.step(participant, goal_id=goal.id, meeting_id=meeting.id),
        "week_reviews": f.week_review(user["supervisor"], user["specialist"]),
        "conflicts": f.conflict(user["specialist"], record_id=participant.id),
    }
    others = {
        "participants": other_participant,
        "employers": other_employer,
        "meetings": f.meeting(other_participant),
        "job_matches": f.job_match(other_participant, other_employer),
    }
    world.ids.update({name: str(record.id) for name, record in records.items()})
    world.ids.update({f"other_{name}": str(record.id) for name, record in others.items()})


@pytest.fixture(autouse=True)
def clean_database(world: World) -> None:
    """Replaces conftest's wipe after every test: records are rebuilt before each one instead,
    and the accounts (with their tokens) kept."""
    with world.app.app_context():
        db.session.remove()
        allow_audit_log_maintenance(db.session)
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in ACCOUNT_TABLES:
                db.session.execute(table.delete())
        _restore_accounts(world)
        _seed_records(world)
        db.session.commit()
        db.session.remove()


# --- Steering the generated requests towards existing records -----------------------------


def path_pool(world: World, path: str, name: str) -> list[str]:
    if name == "record_id":
        entity = path.split("/")[3]
        return [world.ids[key] for key in (entity, f"other_{entity}") if key in world.ids]
    return {
        "team_id": [world.ids["team"], world.ids["other_team"]],
        "user_id": [
            world.ids["specialist_user"],
            world.ids["participant_user"],
            world.ids["other_specialist_user"],
        ],
        "participant_id": [world.ids["participants"], world.ids["other_participants"]],
    }.get(name, [])


def body_pool(world: World, name: str) -> list[Any]:
    ids = world.ids
    pools: dict[str, list[Any]] = {
        "participant_id": [ids["participants"], ids["other_participants"]],
        "employer_id": [ids["employers"], ids["other_employers"]],
        "specialist_id": [
            ids["specialist_user"],
            ids["supervisor_user"],
            ids["other_specialist_user"],
        ],
        "goal_id": [ids["plan_goals"]],
        "meeting_id": [ids["meetings"], ids["other_meetings"]],
        "team_id": [ids["team"], ids["other_team"]],
        "id": [ids["participants"], ids["employers"]],
        "email": list(world.emails.values()),
        "password": [Factory.PASSWORD],
    }
    if name in pools:
        return pools[name]
    if name.endswith("_at"):
        return TIMES
    if name.endswith("_on"):
        return DATES
    return []


def steer(world: World, case: Any, draw: Callable[[Any], Any]) -> None:
    """Sometimes swap generated values for seeded ids and realistic times. Only in valid
    requests: an invalid one keeps the invalid part schemathesis put in it."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    for name in list(case.path_parameters or {}):
        choice = draw(st.sampled_from([*path_pool(world, case.operation.path, name), None]))
        if choice is not None:
            case.path_parameters[name] = choice
    if isinstance(case.body, dict):
        for name in list(case.body):
            choice = draw(st.sampled_from([*body_pool(world, name), None]))
            if choice is not None:
                case.body[name] = choice


# --- The test -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def api_schema(world: World) -> Any:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", world.app)
    # The bearer token is ours to send; generated Authorization headers would only get 401s.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def fuzz(world: World, operation: Any, role: str, token: str, examples: int) -> None:
    strategy = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    # Schemathesis' WSGI calls ask for gzip, brotli and zstd (requests' default header) but do
    # not decode what comes back: ask for the body as it is.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy, data=st.data())
    def run(case: Any, data: Any) -> None:
        steer(world, case, data.draw)
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    except BaseException as error:
        error.add_note(f"(signed in as the {role})")
        raise


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_request_gets_a_500_or_an_answer_the_document_does_not_describe(
    world: World, api_schema: Any, label: str
) -> None:
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    for role in EXAMPLES:
        token = (
            world.sign_in(role)["refresh_token" if path.endswith("/refresh") else "access_token"]
            if label in OWN_SIGN_IN
            else world.tokens[role]
        )
        examples = EXAMPLES[role]
        if role == "admin" and path.startswith(ADMIN_PATHS):
            examples = EXAMPLES["specialist"]
        fuzz(world, operation, role, token, examples)


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) > 40
    assert f"PATCH {API}/meetings/{{record_id}}" in OPERATIONS
    assert f"POST {API}/users" in OPERATIONS
