"""Who may call what: every role against every route of the API, from one explicit table.

`EXPECTED` below is the access policy of the REST API written out, route by route. A route added
to the app without a row there fails `test_every_api_route_has_a_row_in_the_table`, so nobody can
add an endpoint without deciding who may use it.

The one exception is an entity's five routes while nobody has pinned the entity in the table (a
new entity): until someone writes its rows out, it is checked against its own declared rules
instead (`declared_status`, from its `EntityAccess` in api/access.py: who reads which rows, who
creates, changes which fields, deletes). That proves its routes do what its declaration says, not
that the declaration is the right policy; only rows written out say that. The derivation gives
exactly the written-out rows for every pinned entity
(`test_the_declared_rules_give_the_pinned_rows`).

The world (see `World`) is built once per module, because building it and signing everyone in
takes time: team A with a supervisor and two specialists (js1 with P1, who has a login, and P3; js2
with P2, who has a login too), an admin, and team B with its own supervisor, specialist and
participant (with a login). Each of P1, P2 and PB has a row of every entity: written out in
`World._caseload`, or, for an entity not written there (a new one), made through the API from the
entity's declared `example` by the role that may create it. A test that writes marks the world
dirty and its records (not the accounts and their tokens) are rebuilt before the next test, so
every case starts from the same data.

tests/test_access_rules.py shares this world (`World`), and states the rules as sentences.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from marshmallow import fields
from sqlalchemy import select
from werkzeug.test import TestResponse

from api.access import EntityAccess, actor_for, read_scope, rules_for
from api.accounts.models import User
from api.audit.models import AuditEvent
from api.common.model import new_id, utcnow
from api.common.schema import Text
from api.entities import ENTITIES
from api.extensions import db
from api.offline.setup import SYNC_ORDER
from api.push.models import PushSubscription
from api.scheduler.models import JobRun
from tests.audit_maintenance import allow_audit_log_maintenance
from tests.database import empty_every_table
from tests.factories import Factory
from tests.push_service import PushService

API = "/api/v1"
ROLES = ("anonymous", "specialist", "supervisor", "participant", "admin")
# Who plays each role on each caseload (A1 is js1's and P1's, A2 js2's and P2's, B team B's).
CASELOAD_PLAYERS = {
    "A1": {"specialist": "js1", "supervisor": "sup_a", "participant": "p1", "admin": "admin"},
    "A2": {"specialist": "js2", "supervisor": "sup_a", "participant": "p2", "admin": "admin"},
    "B": {"specialist": "js_b", "supervisor": "sup_b", "participant": "p_b", "admin": "admin"},
}
# The person who plays each role in the matrix.
PLAYER = {"anonymous": "anonymous", **CASELOAD_PLAYERS["A1"]}
ENTITY_NAMES = SYNC_ORDER  # every entity
# Tables that hold accounts and sign-ins: kept across the module, so tokens stay valid.
ACCOUNT_TABLES = {"teams", "users", "token_families", "refresh_tokens"}
PROBLEM = "application/problem+json"
SOME_TIME = "2026-11-18T10:00:00+01:00"


# --- The world ---------------------------------------------------------------------------


class _BatchFactory(Factory):
    """The test factories, flushing instead of committing: a rebuild is one transaction."""

    def _save(self, obj: Any) -> Any:
        db.session.add(obj)
        db.session.flush()
        return obj


def _wipe(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        empty_every_table()


class World:
    """Accounts (signed in once) and the records every test starts from."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        self.ids: dict[str, uuid.UUID] = {}  # person or team -> id
        self.emails: dict[str, str] = {}
        self.headers: dict[str, dict[str, str]] = {"anonymous": {}}
        self.rec: dict[str, dict[str, uuid.UUID]] = {}  # caseload -> entity -> id
        self.extra: dict[str, uuid.UUID] = {}
        self.dirty = True
        self._numbers = itertools.count(1)
        self.push_service = PushService().__enter__()
        self.browsers = {name: self.push_service.subscription() for name in PLAYER.values()}
        with app.app_context():
            f = Factory()
            team_a, team_b = f.team(f"Team A {new_id()}"), f.team(f"Team B {new_id()}")
            self.ids["team_a"], self.ids["team_b"] = team_a.id, team_b.id
            people = {
                "sup_a": ("supervisor", team_a),
                "js1": ("specialist", team_a),
                "js2": ("specialist", team_a),
                "p1": ("participant", team_a),
                "p2": ("participant", team_a),
                "admin": ("admin", None),
                "sup_b": ("supervisor", team_b),
                "js_b": ("specialist", team_b),
                "p_b": ("participant", team_b),
            }
            for name, (role, team) in people.items():
                user = f.user(role, team=team)
                self.ids[name], self.emails[name] = user.id, user.email
            db.session.remove()
        for name in people:
            self.headers[name] = self.sign_in(name)["headers"]

    def number(self) -> int:
        return next(self._numbers)

    def sign_in(self, name: str) -> dict[str, Any]:
        response = self.client.post(
            f"{API}/auth/login", json={"email": self.emails[name], "password": Factory.PASSWORD}
        )
        assert response.status_code == 200, response.json
        body = response.json
        assert body is not None
        return {**body, "headers": {"Authorization": f"Bearer {body['access_token']}"}}

    def call(
        self,
        who: str,
        method: str,
        url: str,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        response = self.client.open(
            url, method=method, json=json, headers=self.headers[who] if headers is None else headers
        )
        # A refused write was rolled back; only a write that went through dirties the world.
        if method != "GET" and (response.status_code < 400 or response.status_code >= 500):
            self.dirty = True
        return response

    def refresh_records(self) -> None:
        if self.dirty:
            self._rebuild()
            self.dirty = False

    def _rebuild(self) -> None:
        with self.app.app_context():
            db.session.remove()
            allow_audit_log_maintenance(db.session)
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in ACCOUNT_TABLES:
                    db.session.execute(table.delete())
            f = _BatchFactory()

            def user(name: str) -> User:
                found = db.session.get(User, self.ids[name])
                assert found is not None
                return found

            team_a = SimpleNamespace(id=self.ids["team_a"])
            team_b = SimpleNamespace(id=self.ids["team_b"])
            ea, ea2, ea3 = (
                f.employer(
                    team_a, notes="Sjefen liker kaffe", phone="22334455", contact_person="Kari"
                )
                for _ in range(3)
            )
            eb = f.employer(team_b, notes="Ring før lunsj")
            self.rec = {
                "A1": self._caseload(f, user("js1"), user("sup_a"), self.ids["p1"], ea),
                "A2": self._caseload(f, user("js2"), user("sup_a"), self.ids["p2"], ea2),
                "B": self._caseload(f, user("js_b"), user("sup_b"), self.ids["p_b"], eb),
            }
            self.extra = {
                "P3": f.participant(user("js1")).id,  # on js1's caseload, no career profile
                "EA3": ea3.id,  # a team A employer nobody matched yet
                "conflict_sup_a": f.conflict(user("sup_a")).id,
                "conflict_p1": f.conflict(user("p1")).id,
            }
            for name, browser in self.browsers.items():
                if name != "anonymous":
                    self.extra[f"push_{name}"] = f._save(
                        PushSubscription(
                            user_id=self.ids[name],
                            endpoint=browser.endpoint,
                            p256dh=browser.p256dh,
                            auth=browser.auth,
                        )
                    ).id
            # A run of the scheduler, for the admin's list of job runs.
            self.extra["job_run"] = f._save(
                JobRun(
                    job="notification_dispatch",
                    scheduled_for=utcnow(),
                    started_at=utcnow(),
                    outcome="ok",
                    detail="sent 0, failed 0, skipped 0, deferred 0",
                    runner="matrix:1",
                )
            ).id
            # An entry of the audit log, for the admin's search: js1 read P1's record.
            self.extra["audit_event"] = f._save(
                AuditEvent(
                    at=utcnow(),
                    actor_id=self.ids["js1"],
                    actor_role="specialist",
                    action="read",
                    entity="participants",
                    record_id=self.rec["A1"]["participants"],
                    record_count=1,
                    participant_id=self.rec["A1"]["participants"],
                    reason="own_caseload",
                )
            ).id
            db.session.commit()
            db.session.remove()
        self._make_declared_records()

    def _make_declared_records(self) -> None:
        """A record on each caseload of every entity that `_caseload` does not write out (a new
        one), made through the API from the entity's declared example by the caseload's player
        of the role that may create it. In sync order: what a record references comes first."""
        for entity in ENTITY_NAMES:
            if entity in self.rec["A1"]:
                continue
            role = creator(entity)
            for caseload, players in CASELOAD_PLAYERS.items():
                body = creation_body(self, entity, caseload)
                response = self.client.post(
                    f"{API}/{entity}", json=body, headers=self.headers[players[role]]
                )
                assert response.status_code == 201, (
                    f"{players[role]} could not create {entity} from its declared example "
                    f"{body}: {response.status_code} {response.get_data(as_text=True)[:500]}"
                )
                self.rec[caseload][entity] = uuid.UUID(response.json["id"])

    def sees(self, who: str, entity: str, record_id: uuid.UUID) -> bool:
        """Whether `entity`'s declared read scope lets `who` read the record (a live one)."""
        with self.app.app_context():
            user = db.session.get(User, self.ids[who])
            assert user is not None
            scope = read_scope(actor_for(user), entity)
            model = ENTITIES[entity].model
            found = scope is not None and (
                db.session.scalar(
                    select(model.id).where(model.id == record_id, model.deleted_at.is_(None), scope)
                )
                is not None
            )
            db.session.remove()
        return found

    @staticmethod
    def _caseload(
        f: Factory, specialist: User, supervisor: User, login_id: uuid.UUID, employer: Any
    ) -> dict[str, uuid.UUID]:
        """One participant with a row of every entity, all of it `specialist`'s work."""
        p = f.participant(
            specialist,
            user_id=login_id,
            phone="+47 912 34 567",
            email=f"deltaker{new_id().hex[:8]}@example.no",
        )
        goal = f.goal(p, description="Vil jobbe med mennesker")
        consent = f.consent(p)
        consent.note = "Samtykke gitt muntlig"
        return {
            "participants": p.id,
            "consents": consent.id,
            "career_profiles": f.career_profile(p, strengths="Punktlig", work_history="Butikk").id,
            "employers": employer.id,
            "employer_contacts": f.employer_contact(
                specialist,
                employer,
                participant_id=p.id,
                notes="Sjefen var positiv",
                outcome="Nytt møte",
                purpose="Presentere deltaker",
            ).id,
            "meetings": f.meeting(p, notes="Fortalte om angst", agreed_next_steps="CV").id,
            "team_meetings": f.team_meeting(specialist, notes="Drøftet saker").id,
            "job_matches": f.job_match(p, employer, notes="Ønsker deltid").id,
            "plan_goals": goal.id,
            "plan_steps": f.step(p, goal_id=goal.id).id,
            "week_reviews": f.week_review(supervisor, specialist, comment="Bra uke").id,
            "conflicts": f.conflict(specialist).id,
        }


@pytest.fixture(autouse=True)
def clean_database() -> Iterator[None]:
    """Replaces conftest's wipe after every test: here the world lives for the whole module."""
    yield


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    _wipe(app)
    built = World(app)
    yield built
    built.push_service.__exit__()
    _wipe(app)


@pytest.fixture(autouse=True)
def _fresh_records(world: World) -> None:
    world.refresh_records()


# --- The table ---------------------------------------------------------------------------


def row(
    anonymous: int, specialist: int, supervisor: int, participant: int, admin: int
) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "specialist": specialist,
        "supervisor": supervisor,
        "participant": participant,
        "admin": admin,
    }


# Item routes act on a record of js1's caseload (P1's, js1's own, or team A's employer).
#                                                         anon spec  sup  part admin
EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("POST", "/api/v1/auth/login"): row(401, 200, 200, 200, 200),
    ("POST", "/api/v1/auth/refresh"): row(401, 200, 200, 200, 200),
    ("POST", "/api/v1/auth/logout"): row(401, 204, 204, 204, 204),
    ("GET", "/api/v1/auth/me"): row(401, 200, 200, 200, 200),
    ("POST", "/api/v1/auth/sign-out-all"): row(401, 204, 204, 204, 204),
    # One-time password links: open to anyone with a code (here an unknown one).
    ("POST", "/api/v1/auth/password-link/lookup"): row(404, 404, 404, 404, 404),
    ("POST", "/api/v1/auth/password-link"): row(404, 404, 404, 404, 404),
    # Changing one's own password: everyone signed in (here with a wrong current password).
    ("POST", "/api/v1/auth/password"): row(401, 422, 422, 422, 422),
    ("GET", "/api/v1/settings"): row(401, 200, 200, 200, 200),
    # Sync: every signed-in user pushes and pulls; each mutation and row is checked on its own.
    ("POST", "/api/v1/sync/push"): row(401, 200, 200, 200, 200),
    ("GET", "/api/v1/sync/pull"): row(401, 200, 200, 200, 200),
    # Reports: staff only; a specialist sees their own row; an admin must name the team.
    ("GET", "/api/v1/reports/weekly"): row(401, 200, 200, 403, 422),
    ("GET", "/api/v1/reports/fidelity"): row(401, 200, 200, 403, 422),
    ("GET", "/api/v1/reports/outcomes"): row(401, 200, 200, 403, 422),
    ("GET", "/api/v1/participants"): row(401, 200, 200, 200, 200),
    ("POST", "/api/v1/participants"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/participants/<uuid:record_id>"): row(401, 200, 200, 200, 200),
    ("PATCH", "/api/v1/participants/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/participants/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("POST", "/api/v1/participants/<uuid:participant_id>/transfer"): row(401, 403, 200, 403, 200),
    # A participant's rights (P1, active, with a login): the copy is for P1, their specialist
    # and an admin; a supervisor sees counts, not note text. Erasure is the admin's, and only
    # once the participant has left: P1 is still active, so the admin is told to close first.
    ("GET", "/api/v1/participants/<uuid:participant_id>/export"): row(401, 200, 403, 200, 200),
    ("POST", "/api/v1/participants/<uuid:participant_id>/erase"): row(401, 403, 403, 403, 422),
    ("GET", "/api/v1/consents"): row(401, 200, 200, 403, 403),
    ("POST", "/api/v1/consents"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/consents/<uuid:record_id>"): row(401, 200, 200, 403, 403),
    ("PATCH", "/api/v1/consents/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/consents/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/career_profiles"): row(401, 200, 200, 403, 403),
    ("POST", "/api/v1/career_profiles"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/career_profiles/<uuid:record_id>"): row(401, 200, 200, 403, 403),
    ("PATCH", "/api/v1/career_profiles/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/career_profiles/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/employers"): row(401, 200, 200, 200, 403),
    ("POST", "/api/v1/employers"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/employers/<uuid:record_id>"): row(401, 200, 200, 200, 403),
    ("PATCH", "/api/v1/employers/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/employers/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/employer_contacts"): row(401, 200, 200, 403, 403),
    ("POST", "/api/v1/employer_contacts"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/employer_contacts/<uuid:record_id>"): row(401, 200, 200, 403, 403),
    ("PATCH", "/api/v1/employer_contacts/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/employer_contacts/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/meetings"): row(401, 200, 200, 200, 403),
    ("POST", "/api/v1/meetings"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/meetings/<uuid:record_id>"): row(401, 200, 200, 200, 403),
    ("PATCH", "/api/v1/meetings/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/meetings/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/team_meetings"): row(401, 200, 200, 403, 403),
    ("POST", "/api/v1/team_meetings"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/team_meetings/<uuid:record_id>"): row(401, 200, 200, 403, 403),
    ("PATCH", "/api/v1/team_meetings/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/team_meetings/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/job_matches"): row(401, 200, 200, 200, 403),
    ("POST", "/api/v1/job_matches"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/job_matches/<uuid:record_id>"): row(401, 200, 200, 200, 403),
    ("PATCH", "/api/v1/job_matches/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/job_matches/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    ("GET", "/api/v1/plan_goals"): row(401, 200, 200, 200, 403),
    ("POST", "/api/v1/plan_goals"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/plan_goals/<uuid:record_id>"): row(401, 200, 200, 200, 403),
    ("PATCH", "/api/v1/plan_goals/<uuid:record_id>"): row(401, 200, 403, 403, 403),
    ("DELETE", "/api/v1/plan_goals/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    # The participant's PATCH body is {"done_at": ...}: ticking off a step.
    ("GET", "/api/v1/plan_steps"): row(401, 200, 200, 200, 403),
    ("POST", "/api/v1/plan_steps"): row(401, 201, 403, 403, 403),
    ("GET", "/api/v1/plan_steps/<uuid:record_id>"): row(401, 200, 200, 200, 403),
    ("PATCH", "/api/v1/plan_steps/<uuid:record_id>"): row(401, 200, 403, 200, 403),
    ("DELETE", "/api/v1/plan_steps/<uuid:record_id>"): row(401, 204, 403, 403, 403),
    # js1 reads the reviews of their own weeks; the supervisor writes them.
    ("GET", "/api/v1/week_reviews"): row(401, 200, 200, 403, 403),
    ("POST", "/api/v1/week_reviews"): row(401, 403, 201, 403, 403),
    ("GET", "/api/v1/week_reviews/<uuid:record_id>"): row(401, 200, 200, 403, 403),
    ("PATCH", "/api/v1/week_reviews/<uuid:record_id>"): row(401, 403, 200, 403, 403),
    ("DELETE", "/api/v1/week_reviews/<uuid:record_id>"): row(401, 403, 204, 403, 403),
    # Conflicts are each person's own; nobody creates or deletes one through REST.
    # The item is js1's conflict: another person does not see it at all.
    ("GET", "/api/v1/conflicts"): row(401, 200, 200, 200, 403),
    ("POST", "/api/v1/conflicts"): row(401, 403, 403, 403, 403),
    ("GET", "/api/v1/conflicts/<uuid:record_id>"): row(401, 200, 404, 404, 403),
    ("PATCH", "/api/v1/conflicts/<uuid:record_id>"): row(401, 200, 404, 404, 403),
    ("DELETE", "/api/v1/conflicts/<uuid:record_id>"): row(401, 403, 404, 404, 403),
    # The item is team A; a participant sees the name of their own team.
    ("GET", "/api/v1/teams"): row(401, 200, 200, 200, 200),
    ("POST", "/api/v1/teams"): row(401, 403, 403, 403, 201),
    ("GET", "/api/v1/teams/<uuid:team_id>"): row(401, 200, 200, 200, 200),
    ("PATCH", "/api/v1/teams/<uuid:team_id>"): row(401, 403, 403, 403, 200),
    # The item is js1's account.
    ("GET", "/api/v1/users"): row(401, 200, 200, 403, 200),
    ("POST", "/api/v1/users"): row(401, 403, 403, 403, 201),
    ("GET", "/api/v1/users/<uuid:user_id>"): row(401, 200, 200, 403, 200),
    ("PATCH", "/api/v1/users/<uuid:user_id>"): row(401, 403, 403, 403, 200),
    ("POST", "/api/v1/users/<uuid:user_id>/sign-out-all"): row(401, 403, 403, 403, 204),
    ("POST", "/api/v1/users/<uuid:user_id>/password-link"): row(401, 403, 403, 403, 201),
    # Push: every signed-in user has subscriptions of their own, and nobody else's. The item
    # is js1's subscription; the test push goes to the module's local push service.
    ("GET", "/api/v1/push/vapid-public-key"): row(401, 200, 200, 200, 200),
    ("GET", "/api/v1/push/subscriptions"): row(401, 200, 200, 200, 200),
    ("POST", "/api/v1/push/subscriptions"): row(401, 201, 201, 201, 201),
    ("DELETE", "/api/v1/push/subscriptions/<uuid:subscription_id>"): row(401, 204, 404, 404, 404),
    ("POST", "/api/v1/push/test"): row(401, 200, 200, 200, 200),
    # Notification preferences: each signed-in user reads and replaces their own.
    ("GET", "/api/v1/push/preferences"): row(401, 200, 200, 200, 200),
    ("PUT", "/api/v1/push/preferences"): row(401, 200, 200, 200, 200),
    # The scheduler's job runs: admins only.
    ("GET", "/api/v1/admin/job-runs"): row(401, 403, 403, 403, 200),
    # The audit log: admins search it (the world has an entry); nobody changes it.
    ("GET", "/api/v1/audit"): row(401, 403, 403, 403, 200),
}


def crud_routes(entity: str) -> list[tuple[str, str]]:
    """The five routes every entity has (api.common.crud)."""
    item = f"{API}/{entity}/<uuid:record_id>"
    return [
        ("GET", f"{API}/{entity}"),
        ("POST", f"{API}/{entity}"),
        ("GET", item),
        ("PATCH", item),
        ("DELETE", item),
    ]


# Entities whose routes have rows in EXPECTED, and those that have none yet (a new entity),
# which are checked against their declared rules until someone writes their rows out.
PINNED = [e for e in ENTITY_NAMES if any(route in EXPECTED for route in crud_routes(e))]
DECLARED_ONLY = [e for e in ENTITY_NAMES if e not in PINNED]
DECLARED_ROUTES = [route for entity in DECLARED_ONLY for route in crud_routes(entity)]


# --- Requests: a valid one for every route, so a status reflects access, not validation ----


def creator(entity: str) -> str:
    """The role that makes the world's records of an entity: the first in ROLES that may."""
    roles = [role for role in ROLES if role in rules_for(entity).create_roles]
    assert roles, f"No role may create {entity}: write its records out in World._caseload."
    return roles[0]


def creation_body(world: World, entity: str, caseload: str = "A1") -> dict[str, Any]:
    """A valid body for a new record of `entity` on `caseload`: the entity's declared example,
    with the references its schema requires pointing at the caseload's records (a specialist at
    the caseload's specialist)."""
    declared = ENTITIES[entity]
    schema_fields = declared.schema().fields
    body = {
        name: str(
            world.ids[CASELOAD_PLAYERS[caseload]["specialist"]]
            if target == "specialists"
            else world.rec[caseload][target]
        )
        for name, target in declared.references.items()
        if schema_fields[name].required
    }
    return {**body, **declared.example}


def _post_body(world: World, entity: str) -> dict[str, Any]:
    body = creation_body(world, entity)
    if entity == "career_profiles":  # P1 has one already, and a participant has one at most
        body["participant_id"] = str(world.extra["P3"])
    return body


def changes_of_example(entity: str) -> dict[str, Any]:
    """For each field of the entity's declared example with an obvious other valid value (a
    text, a choice, a flag), that value."""
    declared = ENTITIES[entity]
    schema_fields = declared.schema().fields
    changes: dict[str, Any] = {}
    for name, value in declared.example.items():
        field = schema_fields[name]
        choices = field.metadata.get("enum")
        if choices:
            changes[name] = next((c for c in choices if c != value), None)
        elif isinstance(field, Text):
            changes[name] = "Endret" if value != "Endret" else "Endret igjen"
        elif isinstance(field, fields.Boolean):
            changes[name] = not value
    return {name: value for name, value in changes.items() if value is not None}


def may_write(access: EntityAccess, role: str, names: Any) -> bool:
    """Whether `role` may change every field in `names` by the declared rules."""
    if role not in access.write:
        return False
    allowed = access.write[role]
    return allowed is None or set(names) <= allowed


def declared_change(entity: str, role: str | None = None) -> dict[str, Any]:
    """A change of one field of the entity's declared example that `role` may write, by
    default the role that creates it; {} if the example has none."""
    access = rules_for(entity)
    role = role or creator(entity)
    changes = changes_of_example(entity).items()
    return next(({n: v} for n, v in changes if may_write(access, role, [n])), {})


def patch_body(entity: str) -> dict[str, Any]:
    """What the matrix's PATCH sends: written out for a pinned entity, else a change of the
    declared example that the role creating the entity may write."""
    if entity in PATCH_BODY:
        return PATCH_BODY[entity]
    change = declared_change(entity)
    assert change, (
        f"{entity}: its example has no text, choice or flag that a {creator(entity)} may "
        "change; give it one, or write the entity's PATCH body out in PATCH_BODY"
    )
    return change


PATCH_BODY: dict[str, dict[str, Any]] = {
    "participants": {"last_name": "Berg"},
    "consents": {"granted": False},
    "career_profiles": {"strengths": "Pålitelig"},
    "employers": {"industry": "Varehandel"},
    "employer_contacts": {"purpose": "Oppfølging"},
    "meetings": {"place": "Kafé Sentrum"},
    "team_meetings": {"duration_minutes": 90},
    "job_matches": {"job_type": "lager"},
    "plan_goals": {"title": "Jobb i butikk"},
    "plan_steps": {"done_at": SOME_TIME},
    "week_reviews": {"comment": "Fin uke"},
    "conflicts": {"resolved_at": SOME_TIME},
}


def entity_of(rule: str) -> str:
    return rule.removeprefix(f"{API}/").split("/")[0]


def item_id(world: World, rule: str) -> uuid.UUID:
    """The record an item route acts on in the matrix: the one of js1's caseload."""
    if rule.startswith(f"{API}/teams/"):
        return world.ids["team_a"]
    if rule.startswith(f"{API}/users/"):
        return world.ids["js1"]
    if rule.startswith(f"{API}/push/subscriptions/"):
        return world.extra["push_js1"]
    return world.rec["A1"][entity_of(rule)]


def fill(rule: str, record_id: uuid.UUID) -> str:
    return (
        rule.replace("<uuid:record_id>", str(record_id))
        .replace("<uuid:participant_id>", str(record_id))
        .replace("<uuid:team_id>", str(record_id))
        .replace("<uuid:user_id>", str(record_id))
        .replace("<uuid:subscription_id>", str(record_id))
    )


def body_for(world: World, method: str, rule: str) -> Any:
    """A valid body for `method rule` (None for reads and deletes)."""
    if method in ("GET", "DELETE"):
        return None
    if rule == f"{API}/sync/push":
        return {"client_id": str(new_id()), "schema_version": 1, "mutations": []}
    if rule.endswith("/transfer"):
        return {"specialist_id": str(world.ids["js2"])}
    if rule.endswith("/erase"):
        return {"confirm": str(item_id(world, rule))}
    if rule == f"{API}/teams":
        return {"name": f"Team {world.number()} {new_id()}"}
    if rule.startswith(f"{API}/teams/"):
        return {"name": f"Team A {world.number()} {new_id()}"}
    if rule == f"{API}/users":
        return {
            "email": f"ny{world.number()}.{new_id().hex[:8]}@test.no",
            "name": "Ny Bruker",
            "role": "specialist",
            "team_id": str(world.ids["team_a"]),
            "password": "en lang sti langs fjorden",
        }
    if rule.startswith(f"{API}/users/"):
        return {"name": "Jobbspesialist En"}
    if rule == f"{API}/push/subscriptions":
        return world.push_service.subscription().as_json(device="Mobil")
    if rule == f"{API}/push/test":
        return None
    if rule == f"{API}/push/preferences":
        return {
            "kinds": {"weekly_contacts": False},
            "quiet_hours": {"start": "21:00", "end": "07:00"},
        }
    if method == "POST":
        return _post_body(world, entity_of(rule))
    return patch_body(entity_of(rule))


def declared_status(world: World, role: str, method: str, rule: str) -> int:
    """What `role` gets for `method rule`, one of an entity's five routes (on js1's record, for
    an item), by the entity's declared rules: what its row in EXPECTED would say."""
    entity = entity_of(rule)
    access = rules_for(entity)
    if role == "anonymous":
        return 401
    if method == "POST":
        return 201 if role in access.create_roles else 403
    if role not in access.read:
        return 403
    if "<" not in rule:
        return 200
    if not world.sees(PLAYER[role], entity, item_id(world, rule)):
        return 404  # like a record that does not exist
    if method == "GET":
        return 200
    if method == "DELETE":
        return 204 if role in access.delete_roles else 403
    return 200 if may_write(access, role, body_for(world, method, rule)) else 403


def _auth_request(world: World, role: str, method: str, rule: str) -> TestResponse:
    """The sign-in routes take credentials or a token of their own, not the module's token."""
    who = PLAYER[role]
    if rule.endswith("/login"):
        email = world.emails["js1" if who == "anonymous" else who]
        password = "not-the-password" if who == "anonymous" else Factory.PASSWORD
        return world.client.post(rule, json={"email": email, "password": password})
    if rule.endswith("/me"):
        return world.call(who, method, rule)
    if "/password" in rule:
        body = {
            f"{API}/auth/password-link/lookup": {"code": "nope"},
            f"{API}/auth/password-link": {"code": "nope", "password": "tre kaffe i lunsjen"},
            f"{API}/auth/password": {
                "current_password": "not-the-password",
                "new_password": "tre kaffe i lunsjen",
            },
        }[rule]
        return world.call(who, method, rule, json=body)
    if who == "anonymous":
        return world.client.post(rule)
    signed_in = world.sign_in(who)  # a sign-in of its own: this one ends or rotates
    token = signed_in["refresh_token" if rule.endswith("/refresh") else "access_token"]
    return world.client.post(rule, headers={"Authorization": f"Bearer {token}"})


def request_as(world: World, role: str, method: str, rule: str) -> TestResponse:
    if rule.startswith(f"{API}/auth/"):
        response = _auth_request(world, role, method, rule)
    else:
        url = fill(rule, item_id(world, rule)) if "<" in rule else rule
        response = world.call(PLAYER[role], method, url, json=body_for(world, method, rule))
    if rule.endswith("/sign-out-all") and response.status_code == 204:
        # Every sign-in of that user ended, the module's too: sign them in again.
        name = PLAYER[role] if rule.startswith(f"{API}/auth/") else "js1"
        world.headers[name] = world.sign_in(name)["headers"]
    return response


def api_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(f"{API}/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def assert_problem(response: TestResponse, status: int) -> None:
    assert response.mimetype == PROBLEM, response.data
    body = response.json
    assert body is not None and body["status"] == status and body["detail"], body


# --- The tests ---------------------------------------------------------------------------


def test_every_api_route_has_a_row_in_the_table(app: Flask) -> None:
    routes = api_routes(app)
    missing = sorted(routes - EXPECTED.keys() - set(DECLARED_ROUTES))
    assert not missing, f"routes without a row in EXPECTED (decide who may call them): {missing}"
    stale = sorted(EXPECTED.keys() - routes)
    assert not stale, f"rows in EXPECTED for routes the app no longer has: {stale}"


def test_a_pinned_entity_has_all_five_routes_in_the_table() -> None:
    assert PINNED, "the table pins entities"
    for entity in PINNED:
        for route in crud_routes(entity):
            assert route in EXPECTED, f"{entity} is pinned without a row for {route}"


def test_the_declared_rules_give_the_pinned_rows(world: World) -> None:
    """The derivation a new entity is checked with agrees with every row written out."""
    for entity in PINNED:
        for method, rule in crud_routes(entity):
            derived = {role: declared_status(world, role, method, rule) for role in ROLES}
            pinned = EXPECTED[(method, rule)]
            assert derived == pinned, f"{method} {rule}: declared {derived}, pinned {pinned}"


# An entity that is not pinned has None: its declared rules say (declared_status).
MATRIX = [
    pytest.param(role, method, rule, expected[role], id=f"{role} {method} {rule}")
    for (method, rule), expected in EXPECTED.items()
    for role in ROLES
] + [
    pytest.param(role, method, rule, None, id=f"{role} {method} {rule} (declared)")
    for method, rule in DECLARED_ROUTES
    for role in ROLES
]


@pytest.mark.parametrize(("role", "method", "rule", "expected"), MATRIX)
def test_access_matrix(
    world: World, role: str, method: str, rule: str, expected: int | None
) -> None:
    if expected is None:
        expected = declared_status(world, role, method, rule)
    response = request_as(world, role, method, rule)
    assert response.status_code == expected, (
        f"{role} {method} {rule}: expected {expected}, got {response.status_code} "
        f"{response.get_data(as_text=True)[:500]}"
    )
    if expected >= 400:
        assert_problem(response, expected)
    elif rule.startswith(f"{API}/auth/") and expected == 200:
        body = response.json
        assert body is not None
        user = body.get("user", body)  # login and refresh wrap the user; /me is the user
        assert user["id"] == str(world.ids[PLAYER[role]]) and user["role"] == role, body
    elif rule.startswith(f"{API}/sync/"):
        body = response.json
        assert isinstance(body, dict) and ("results" in body or "changes" in body), body
    elif rule == f"{API}/push/test" and expected == 200:
        # delivered to the player's own device, and only there
        assert [r["outcome"] for r in response.json["results"]] == ["delivered"], response.json
        assert response.json["results"][0]["subscription_id"] == str(
            world.extra[f"push_{PLAYER[role]}"]
        )
    elif rule == f"{API}/push/preferences" and expected == 200:
        # the caller's own preferences: the defaults, or what the PUT just gave
        body = response.json
        assert set(body) == {"kinds", "quiet_hours", "time_zone"}, body
        assert body["kinds"]["weekly_contacts"] is (method == "GET"), body
    elif rule.endswith("/password-link") and expected == 201:
        assert response.json["purpose"] == "reset" and response.json["code"], response.json
    elif rule == f"{API}/settings" and expected == 200:
        assert set(response.json) == {"activity_max_days_back", "timezone"}, response.json
    elif rule == f"{API}/push/vapid-public-key" and expected == 200:
        assert len(response.json["public_key"]) == 87, response.json
    elif rule.endswith("/export") and expected == 200:
        # a download of P1's data, and nobody else's
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.json["participant"]["id"] == str(item_id(world, rule)), response.json
    elif rule.startswith(f"{API}/reports/") and expected == 200:
        # A specialist's report holds their own row; a supervisor's their team's specialists.
        rows = {r["specialist_id"] for r in response.json["specialists"]}
        if role == "specialist":
            assert rows == {str(world.ids[PLAYER[role]])}, rows
        else:
            assert len(rows) == 2 and str(world.ids[PLAYER["specialist"]]) in rows, rows
    elif expected in (200, 201) and method != "GET":
        body = response.json
        assert isinstance(body, dict) and body.get("id"), body
        if method == "PATCH" or rule.endswith("/transfer"):
            assert body["id"] == str(item_id(world, rule))
    elif method == "GET" and "<" not in rule and not rule.startswith(f"{API}/auth/"):
        assert isinstance(response.json, list) and response.json, (
            f"{role} may list {rule} but got nothing: the world has rows for them"
        )


# --- Outsiders: a record that exists answers exactly like one that does not ---------------

# What a participant cannot read at all: they get 403 for the route whatever the id.
PARTICIPANT_CANNOT_READ = {
    "consents",
    "career_profiles",
    "employer_contacts",
    "team_meetings",
    "week_reviews",
}
# js1's colleague in team A shares the team's employers, and nothing else of js1's.
COLLEAGUE_SHARES = {"employers"}


def outsider_expectation(who: str, method: str, rule: str) -> int | None:
    """The status `who` gets for js1's record and for a random id (None: not an outsider)."""
    participant = who in ("p2", "p_b")
    same_team = who in ("js2", "p2")
    if rule.endswith("/transfer"):
        # Another team's supervisor finds no such participant; specialists and participants
        # may not move anyone.
        return 404 if who == "sup_b" else 403 if who != "js2" else None
    if rule.endswith("/erase"):
        return 403  # admins only
    if rule.endswith("/export") and who == "sup_b":
        return 403  # supervisors export nothing
    if rule.startswith(f"{API}/teams/"):
        if same_team:
            return None
        return 404 if method == "GET" else 403
    if rule.startswith(f"{API}/users/"):
        if who == "js2":
            return None
        return 404 if method == "GET" and not participant else 403
    entity = entity_of(rule)
    if entity in DECLARED_ONLY:
        # By its declared rules (one whom they let read js1's record is checked to read it).
        return 404 if OUTSIDERS[who] in rules_for(entity).read else 403
    if who == "js2" and entity in COLLEAGUE_SHARES:
        return None
    if participant and entity in PARTICIPANT_CANNOT_READ:
        return 403
    return 404


ITEM_ROUTES = sorted(
    (method, rule) for method, rule in [*EXPECTED, *DECLARED_ROUTES] if "<" in rule
)
OUTSIDERS = {  # and their roles
    "js2": "specialist",
    "p2": "participant",
    "js_b": "specialist",
    "sup_b": "supervisor",
    "p_b": "participant",
}
OUTSIDER_CASES = [
    pytest.param(who, method, rule, expected, id=f"{who} {method} {rule}")
    for method, rule in ITEM_ROUTES
    for who in OUTSIDERS
    if (expected := outsider_expectation(who, method, rule)) is not None
]


def test_item_routes_are_all_checked_for_outsiders() -> None:
    checked = {(method, rule) for _, method, rule, _ in (p.values for p in OUTSIDER_CASES)}
    assert checked == set(ITEM_ROUTES)


@pytest.mark.parametrize(("who", "method", "rule", "expected"), OUTSIDER_CASES)
def test_an_outsider_learns_nothing_about_a_record_that_exists(
    world: World, who: str, method: str, rule: str, expected: int
) -> None:
    entity = entity_of(rule)
    existing = fill(rule, item_id(world, rule))
    if entity in DECLARED_ONLY and world.sees(who, entity, item_id(world, rule)):
        # Not an outsider to this record: the declared rules let them read it, and so must the
        # route.
        reading = world.call(who, "GET", existing)
        assert reading.status_code == 200, (who, existing, reading.status_code)
        return
    random = fill(rule, new_id())
    body = body_for(world, method, rule)
    guarded = method != "GET" and "<uuid:record_id>" in rule
    before = world.call("js1", "GET", existing).json if guarded else None
    for_existing = world.call(who, method, existing, json=body)
    for_random = world.call(who, method, random, json=body)
    assert for_existing.status_code == expected, (
        f"{who} {method} {existing}: {for_existing.status_code} "
        f"{for_existing.get_data(as_text=True)[:500]}"
    )
    assert_problem(for_existing, expected)
    assert for_random.status_code == for_existing.status_code
    assert for_random.json == for_existing.json
    assert for_random.headers.get("Content-Type") == for_existing.headers.get("Content-Type")
    if guarded:  # and the attempt changed nothing
        after = world.call("js1", "GET", existing)
        assert after.status_code == 200 and after.json == before, after.json


# --- Outside /api/v1: the app's files, health, docs, and /metrics --------------------------

# Asked from an address on the internet. Everything here is open to anyone, except /metrics:
# Prometheus' numbers are for the operators' own network (METRICS_ALLOW, loopback by default)
# or a holder of METRICS_TOKEN, and a sign-in to the API opens nothing there.
INTERNET = {"REMOTE_ADDR": "203.0.113.9"}
#                                                  anon spec  sup  part admin
OUTSIDE_API: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/"): row(200, 200, 200, 200, 200),
    ("GET", "/<app_path:filename>"): row(200, 200, 200, 200, 200),  # /index.html
    ("GET", "/api/docs/swagger-ui/<filename>"): row(200, 200, 200, 200, 200),
    ("GET", "/healthz"): row(200, 200, 200, 200, 200),
    ("GET", "/api/openapi.json"): row(200, 200, 200, 200, 200),
    ("GET", "/api/docs"): row(200, 200, 200, 200, 200),
    ("GET", "/metrics"): row(404, 404, 404, 404, 404),
}


def test_every_route_outside_the_api_has_a_row_in_the_table(app: Flask) -> None:
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(f"{API}/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == set(OUTSIDE_API), "decide who may call a new route outside /api/v1"


OUTSIDE_MATRIX = [
    pytest.param(role, method, rule, expected[role], id=f"{role} {method} {rule}")
    for (method, rule), expected in OUTSIDE_API.items()
    for role in ROLES
]


@pytest.mark.parametrize(("role", "method", "rule", "expected"), OUTSIDE_MATRIX)
def test_outside_the_api_from_the_internet(
    world: World, role: str, method: str, rule: str, expected: int
) -> None:
    url = rule.replace("<app_path:filename>", "index.html").replace("<filename>", "swagger-ui.css")
    response = world.client.open(
        url, method=method, headers=world.headers[PLAYER[role]], environ_base=INTERNET
    )
    assert response.status_code == expected, f"{role} {method} {url}: {response.status_code}"
    if expected == 404:
        assert_problem(response, 404)
        assert b"feltlogg_" not in response.data


def test_metrics_answer_the_operators_own_machine(world: World) -> None:
    response = world.client.get("/metrics")  # the test client's address is 127.0.0.1
    assert response.status_code == 200 and b"feltlogg_http_requests_total" in response.data
