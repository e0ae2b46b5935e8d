"""Bad input of every kind gets a clear 4xx problem document and changes nothing; never a 500.

Each row of the table below is one request that must be refused. For every row the test checks
the status, that the answer is application/problem+json with a human `detail`, that a
validation error names the failing field in `errors`, and that no table of the database changed
(row counts, and the sum of record versions, which moves on every update). Rows marked
"regression" come from the fuzzer (tests/test_fuzz.py) or from probing: each was answered
wrongly before its fix, most of them with a 500; the comment above them says how.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from api.employers.org_number import check_digit
from api.extensions import db
from tests.database import empty_every_table
from tests.factories import Factory, valid_org_number

API = "/api/v1"
PROBLEM = "application/problem+json"
NOTHING = object()  # no body at all
SOME_TIME = "2026-11-20T10:00:00+01:00"


# --- The world: two teams, built once for the module (nothing here may change it) ---------


def _wipe(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        empty_every_table()


@dataclass
class World:
    app: Flask
    ids: dict[str, str] = dataclasses.field(default_factory=dict)
    headers: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


@pytest.fixture(autouse=True)
def clean_database() -> Iterator[None]:
    """Replaces conftest's wipe after every test: refused requests leave the world as it was."""
    yield


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    _wipe(app)
    built = World(app)
    with app.app_context():
        f = Factory()
        team, other_team = f.team(), f.team()
        specialist = f.user("specialist", team=team)
        supervisor = f.user("supervisor", team=team)
        admin = f.user("admin")
        participant = f.participant(specialist)
        f.consent(participant, "employers", granted=True)
        employer = f.employer(team)
        other_specialist = f.user("specialist", team=other_team)
        other_participant = f.participant(other_specialist)
        other_employer = f.employer(other_team)
        built.ids = {
            "team": team.id,
            "specialist": specialist.id,
            "supervisor": supervisor.id,
            "participant": participant.id,
            "employer": employer.id,
            "meeting": f.meeting(participant).id,
            "job_match": f.job_match(participant, employer).id,
            "goal": f.goal(participant).id,
            "week_review": f.week_review(supervisor, specialist).id,
            "other_specialist": other_specialist.id,
            "other_participant": other_participant.id,
            "other_employer": other_employer.id,
            "other_meeting": f.meeting(other_participant).id,
            "nobody": "0190a000-0000-7000-8000-000000000000",
        }
        built.ids = {key: str(value) for key, value in built.ids.items()}
        emails = {
            "specialist": specialist.email,
            "supervisor": supervisor.email,
            "admin": admin.email,
        }
        db.session.remove()
    client = app.test_client()
    for who, email in emails.items():
        response = client.post(
            f"{API}/auth/login", json={"email": email, "password": Factory.PASSWORD}
        )
        assert response.status_code == 200, response.json
        built.headers[who] = {"Authorization": f"Bearer {response.json['access_token']}"}
    built.headers["anonymous"] = {}
    built.headers["forged"] = {"Authorization": "Bearer not.a.token"}
    yield built
    _wipe(app)


def snapshot(app: Flask) -> dict[str, tuple[Any, ...]]:
    """Per table: the row count, and the sum of versions / latest update where there are such."""
    state = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns: list[Any] = [func.count()]
            if "version" in table.c:
                columns.append(func.coalesce(func.sum(table.c.version), 0))
            if "updated_at" in table.c:
                columns.append(func.max(table.c.updated_at))
            state[table.name] = tuple(conn.execute(select(*columns).select_from(table)).one())
    return state


# --- The table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    method: str
    path: str  # "{name}" is filled from the world's ids
    body: Any = NOTHING  # sent as JSON; "{name}" strings in it are filled too
    raw: str | bytes | None = None  # sent as it is, with content_type
    content_type: str | None = "application/json"
    status: int = 422
    field: str | None = None  # the key `errors` must name
    who: str = "specialist"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def meeting(**changes: Any) -> dict[str, Any]:
    return {
        "participant_id": "{participant}",
        "starts_at": SOME_TIME,
        "duration_minutes": 60,
        "setting": "community",
        "kind": "job_search",
        **changes,
    }


def employer(**changes: Any) -> dict[str, Any]:
    return {"name": "Rema 1000 Grünerløkka", **changes}


def participant(**changes: Any) -> dict[str, Any]:
    return {"first_name": "Kari", "last_name": "Nordmann", "enrolled_on": "2026-09-01", **changes}


def job_match(**changes: Any) -> dict[str, Any]:
    return {
        "participant_id": "{participant}",
        "employer_id": "{employer}",
        "job_title": "Butikkmedarbeider",
        **changes,
    }


def consent(**changes: Any) -> dict[str, Any]:
    return {"participant_id": "{participant}", "counterpart": "nav", "granted": True, **changes}


def contact(**changes: Any) -> dict[str, Any]:
    return {"employer_id": "{employer}", "contacted_at": SOME_TIME, **changes}


def review(**changes: Any) -> dict[str, Any]:
    return {"specialist_id": "{specialist}", "iso_year": 2026, "iso_week": 40, **changes}


def post(entity: str, body: Any, field: str | None, status: int = 422, **kw: Any) -> Bad:
    return Bad("POST", f"{API}/{entity}", body=body, field=field, status=status, **kw)


def raw_post(
    entity: str,
    raw: str | bytes,
    status: int,
    field: str | None = None,
    content_type: str | None = "application/json",
) -> Bad:
    return Bad(
        "POST", f"{API}/{entity}", raw=raw, content_type=content_type, status=status, field=field
    )


def query(path: str, field: str | None, status: int = 422, who: str = "specialist") -> Bad:
    return Bad("GET", f"{API}/{path}", field=field, status=status, who=who)


VALID_ORG = valid_org_number(7)
WRONG_CHECK_DIGIT = VALID_ORG[:8] + str((int(VALID_ORG[8]) + 1) % 10)
NO_CHECK_DIGIT = next(f"9{n:07d}" for n in range(10_000) if check_digit(f"9{n:07d}") is None)

CASES: dict[str, Bad] = {
    # Wrong types, one field kind at a time
    "string for integer": post("meetings", meeting(duration_minutes="60"), "duration_minutes"),
    "fraction for integer": post("meetings", meeting(duration_minutes=60.5), "duration_minutes"),
    "boolean for integer": post("meetings", meeting(duration_minutes=True), "duration_minutes"),
    "number for string": post("employers", employer(name=123), "name"),
    "list for string": post("employers", employer(name=["Rema"]), "name"),
    "object for string": post("employers", employer(name={"nb": "Rema"}), "name"),
    "list for the body object": post("employers", [employer()], "_schema"),
    "string for the body object": post("employers", "Rema 1000", "_schema"),
    "null for the body object": raw_post("employers", "null", 422, "_schema"),
    "null for a required field": post("employers", employer(name=None), "name"),
    "a required field left out": post("meetings", meeting(starts_at=NOTHING), "starts_at"),
    "null for a field that has a value": Bad(
        "PATCH", f"{API}/meetings/{{meeting}}", body={"setting": None}, field="setting"
    ),
    "string for boolean": post("consents", consent(granted="true"), "granted"),
    "number for boolean": post("consents", consent(granted=1), "granted"),
    "string for number": post("job_matches", job_match(hours_per_week="37.5"), "hours_per_week"),
    "boolean for number": post("job_matches", job_match(hours_per_week=True), "hours_per_week"),
    "malformed uuid": post("meetings", meeting(participant_id="not-a-uuid"), "participant_id"),
    "number for uuid": post("meetings", meeting(participant_id=42), "participant_id"),
    "a value outside the enum": post("meetings", meeting(setting="outdoors"), "setting"),
    "number for date": post("participants", participant(enrolled_on=20260901), "enrolled_on"),
    # Unknown and server-owned fields
    "unknown field": post("employers", employer(colour="red"), "colour"),
    "server-owned version": post("employers", employer(version=3), "version"),
    "server-owned team_id": post("employers", employer(team_id="{team}"), "team_id"),
    "server-owned user_id in a change": Bad(
        "PATCH",
        f"{API}/participants/{{participant}}",
        body={"user_id": "{specialist}"},
        field="user_id",
    ),
    # Bodies that are too big, not JSON, or not readable JSON
    "a 10 MB body": raw_post("employers", '{"name": "' + "x" * 10_000_000 + '"}', 413),
    "a body that is not JSON": raw_post("employers", '{"name": "Rema', 400, "json"),
    "invalid UTF-8": raw_post("employers", b'{"name": "\xff\xfe"}', 400, "json"),
    "JSON sent as text/plain": raw_post(
        "employers", json.dumps(employer()), 415, content_type="text/plain"
    ),
    "a form instead of JSON": raw_post(
        "employers", "name=Rema", 415, content_type="application/x-www-form-urlencoded"
    ),
    "a body without a content type": raw_post(
        "employers", json.dumps(employer()), 415, content_type=None
    ),
    # regression: RecursionError from the JSON parser answered 500
    "JSON nested 100 000 deep": raw_post("employers", "[" * 100_000, 400, "json"),
    # regression: int() refuses more than 4300 digits with a ValueError, answered 500
    "a number of 5000 digits": raw_post("employers", '{"name": ' + "7" * 5000 + "}", 400, "json"),
    # Organisation numbers
    "org number of 8 digits": post("employers", employer(org_number=VALID_ORG[:8]), "org_number"),
    "org number of 10 digits": post(
        "employers", employer(org_number=VALID_ORG + "0"), "org_number"
    ),
    "org number with letters": post("employers", employer(org_number="92345678A"), "org_number"),
    "org number of letters only": post("employers", employer(org_number="ABCDEFGHI"), "org_number"),
    "org number with a wrong check digit": post(
        "employers", employer(org_number=WRONG_CHECK_DIGIT), "org_number"
    ),
    "org number that can have no check digit": post(
        "employers", employer(org_number=NO_CHECK_DIGIT + "0"), "org_number"
    ),
    "org number with spaces": post(
        "employers",
        employer(org_number=f"{VALID_ORG[:3]} {VALID_ORG[3:6]} {VALID_ORG[6:]}"),
        "org_number",
    ),
    "org number with a trailing space": post(
        "employers", employer(org_number=VALID_ORG + " "), "org_number"
    ),
    "org number in full-width digits": post(
        "employers",
        employer(org_number="".join(chr(0xFF10 + int(d)) for d in VALID_ORG)),
        "org_number",
    ),
    "org number as a number": post("employers", employer(org_number=int(VALID_ORG)), "org_number"),
    # Dates and times
    "the date 2026-02-30": post(
        "participants", participant(enrolled_on="2026-02-30"), "enrolled_on"
    ),
    "the date 2026-13-01": post(
        "participants", participant(enrolled_on="2026-13-01"), "enrolled_on"
    ),
    "a date without leading zeros": post(
        "participants", participant(enrolled_on="2026-9-1"), "enrolled_on"
    ),
    "a date in year 1": post("participants", participant(enrolled_on="0001-01-01"), "enrolled_on"),
    "the time 2026-02-30T10:00": post(
        "meetings", meeting(starts_at="2026-02-30T10:00:00+01:00"), "starts_at"
    ),
    "a time without its offset": post(
        "meetings", meeting(starts_at="2026-11-20T10:00:00"), "starts_at"
    ),
    "a contact time without its offset": post(
        "employer_contacts", contact(contacted_at="2026-11-20T10:00"), "contacted_at"
    ),
    "a date where a time belongs": post("meetings", meeting(starts_at="2026-11-20"), "starts_at"),
    "an offset of 25 hours": post(
        "meetings", meeting(starts_at="2026-11-20T10:00:00+25:00"), "starts_at"
    ),
    # regression: valid ISO 8601, but outside datetime's range once converted to UTC (500)
    "year 9999 west of UTC": post(
        "meetings", meeting(starts_at="9999-12-31T23:00:00-05:00"), "starts_at"
    ),
    "year 1 east of UTC": post(
        "meetings", meeting(starts_at="0001-01-01T00:30:00+01:00"), "starts_at"
    ),
    # Durations, weeks and other numbers
    "a negative duration": post("meetings", meeting(duration_minutes=-30), "duration_minutes"),
    "a duration of zero": post("meetings", meeting(duration_minutes=0), "duration_minutes"),
    "a duration over a day": post("meetings", meeting(duration_minutes=1441), "duration_minutes"),
    "a duration of 2**31": post("meetings", meeting(duration_minutes=2**31), "duration_minutes"),
    "a duration of 2**63": post("meetings", meeting(duration_minutes=2**63), "duration_minutes"),
    "a duration of -2**63 - 1": post(
        "meetings", meeting(duration_minutes=-(2**63) - 1), "duration_minutes"
    ),
    "an ISO year of 2**63": post(
        "week_reviews", review(iso_year=2**63), "iso_year", who="supervisor"
    ),
    "ISO week 54": post("week_reviews", review(iso_week=54), "iso_week", who="supervisor"),
    "ISO week 53 of a year with 52": post(
        "week_reviews", review(iso_year=2025, iso_week=53), "iso_week", who="supervisor"
    ),
    "NaN hours per week": raw_post(
        "job_matches",
        '{"participant_id": "{participant}", '
        '"employer_id": "{employer}", "job_title": "Kokk", '
        '"hours_per_week": NaN}',
        422,
        "hours_per_week",
    ),
    "Infinity hours per week": raw_post(
        "job_matches",
        '{"participant_id": "{participant}", '
        '"employer_id": "{employer}", "job_title": "Kokk", '
        '"hours_per_week": Infinity}',
        422,
        "hours_per_week",
    ),
    "1e400 hours per week": raw_post(
        "job_matches",
        '{"participant_id": "{participant}", '
        '"employer_id": "{employer}", "job_title": "Kokk", '
        '"hours_per_week": 1e400}',
        422,
        "hours_per_week",
    ),
    "zero hours per week": post("job_matches", job_match(hours_per_week=0), "hours_per_week"),
    "81 hours per week": post("job_matches", job_match(hours_per_week=81), "hours_per_week"),
    # Text
    "a NUL byte in a name": post("employers", employer(name="Rema\x001000"), "name"),
    "a NUL byte in notes": post("employers", employer(notes="\x00"), "notes"),
    # regression: a lone surrogate cannot be encoded for the database (500)
    "a lone surrogate in a name": raw_post("employers", '{"name": "Rema \\ud800"}', 422, "name"),
    "a name of 201 characters": post("employers", employer(name="x" * 201), "name"),
    "notes of 4001 characters": post("employers", employer(notes="x" * 4001), "notes"),
    "a phone number of 31 characters": post("employers", employer(phone="9" * 31), "phone"),
    "a first name of 101 characters": post(
        "participants", participant(first_name="Å" * 101), "first_name"
    ),
    "a blank required name": post("employers", employer(name="   "), "name"),
    "an e-mail that is not one": post("participants", participant(email="kari@"), "email"),
    # References into another team, or to nothing
    "another team's participant": post(
        "meetings", meeting(participant_id="{other_participant}"), "participant_id"
    ),
    "another team's participant for a consent": post(
        "consents", consent(participant_id="{other_participant}"), "participant_id"
    ),
    "another team's participant for a contact": post(
        "employer_contacts", contact(participant_id="{other_participant}"), "participant_id"
    ),
    "another team's employer": post(
        "job_matches", job_match(employer_id="{other_employer}"), "employer_id"
    ),
    "another team's specialist": post(
        "participants", participant(specialist_id="{other_specialist}"), "specialist_id"
    ),
    "a participant that does not exist": post(
        "meetings", meeting(participant_id="{nobody}"), "participant_id"
    ),
    "a goal that does not exist": post(
        "plan_steps",
        {"participant_id": "{participant}", "title": "Skrive CV", "goal_id": "{nobody}"},
        "goal_id",
    ),
    "moving a meeting to another team's participant": Bad(
        "PATCH",
        f"{API}/meetings/{{meeting}}",
        body={"participant_id": "{other_participant}"},
        field="participant_id",
    ),
    # Identity, versions and existence
    "an id in the body that differs from the path": Bad(
        "PATCH",
        f"{API}/employers/{{employer}}",
        body={"id": "{nobody}", "name": "Kiwi"},
        field="id",
    ),
    "an id that is already taken": post("employers", employer(id="{employer}"), "id", status=409),
    "If-Match with another version": Bad(
        "PATCH",
        f"{API}/meetings/{{meeting}}",
        body={"place": "Kafé"},
        status=412,
        headers={"If-Match": '"7"'},
    ),
    "If-Match that is not a version": Bad(
        "PATCH",
        f"{API}/meetings/{{meeting}}",
        body={"place": "Kafé"},
        status=400,
        headers={"If-Match": "yesterday"},
    ),
    # regression: int() read these as versions; the documented pattern does not
    "If-Match with a sign": Bad(
        "PATCH",
        f"{API}/meetings/{{meeting}}",
        body={"place": "Kafé"},
        status=400,
        headers={"If-Match": "+1"},
    ),
    "If-Match in Arabic-Indic digits": Bad(
        "PATCH",
        f"{API}/meetings/{{meeting}}",
        body={"place": "Kafé"},
        status=400,
        headers={"If-Match": "\u0661"},
    ),
    "If-Match with an underscore": Bad(
        "PATCH",
        f"{API}/meetings/{{meeting}}",
        body={"place": "Kafé"},
        status=400,
        headers={"If-Match": "0_1"},
    ),
    "reading another team's meeting": query("meetings/{other_meeting}", None, status=404),
    "changing another team's meeting": Bad(
        "PATCH", f"{API}/meetings/{{other_meeting}}", body={"place": "Kafé"}, status=404
    ),
    "deleting another team's meeting": Bad(
        "DELETE", f"{API}/meetings/{{other_meeting}}", status=404
    ),
    "a malformed id in the path": query("meetings/not-a-uuid", None, status=404),
    "a method the path does not have": Bad("PUT", f"{API}/employers", body=employer(), status=405),
    # Who is asking
    "no token": post("employers", employer(), None, status=401, who="anonymous"),
    "a forged token": post("employers", employer(), None, status=401, who="forged"),
    "a role that may not create this": post("week_reviews", review(), None, status=403),
    # Sign-in
    "a NUL byte in the e-mail": Bad(
        "POST",
        f"{API}/auth/login",
        who="anonymous",
        field="email",
        body={"email": "a\x00@test.no", "password": "demo1234"},
    ),
    # regression: argon2 cannot encode a lone surrogate (500)
    "a lone surrogate in the password": Bad(
        "POST",
        f"{API}/auth/login",
        who="anonymous",
        field="password",
        raw='{"email": "a@test.no", "password": "\\udfff"}',
    ),
    "no password": Bad(
        "POST", f"{API}/auth/login", who="anonymous", field="password", body={"email": "a@test.no"}
    ),
    # Accounts (the admin's); regression: each of these was an IntegrityError (500)
    "a specialist account without a team": Bad(
        "POST",
        f"{API}/users",
        who="admin",
        field="team_id",
        body={
            "email": "ny@test.no",
            "name": "Ny",
            "role": "specialist",
            "password": "en lang sti langs fjorden",
        },
    ),
    "an account in a team that does not exist": Bad(
        "POST",
        f"{API}/users",
        who="admin",
        field="team_id",
        body={
            "email": "ny@test.no",
            "name": "Ny",
            "role": "specialist",
            "password": "en lang sti langs fjorden",
            "team_id": "{nobody}",
        },
    ),
    "moving an account to a team that does not exist": Bad(
        "PATCH",
        f"{API}/users/{{specialist}}",
        who="admin",
        field="team_id",
        body={"team_id": "{nobody}"},
    ),
    "an account password of 7 characters": Bad(
        "POST",
        f"{API}/users",
        who="admin",
        field="password",
        body={"email": "ny@test.no", "name": "Ny", "role": "admin", "password": "x" * 7},
    ),
    # Query parameters
    "page=0": query("meetings?page=0", "page"),
    "page=-1": query("meetings?page=-1", "page"),
    "page=abc": query("meetings?page=abc", "page"),
    "page_size=100000": query("meetings?page_size=100000", "page_size"),
    "page_size=0": query("meetings?page_size=0", "page_size"),
    # regression: unknown query parameters were silently ignored (and so listed everything)
    "an unknown query parameter": query("meetings?colour=red", "colour"),
    "a misspelt filter": query("meetings?participant={participant}", "participant"),
    "a malformed uuid in a filter": query("meetings?participant_id=nope", "participant_id"),
    "from= that is not a time": query("meetings?from=yesterday", "from"),
    "from= without an offset": query("meetings?from=2026-11-01T00:00:00", "from"),
    "to= on 30 February": query("meetings?to=2026-02-30T00:00:00Z", "to"),
    # regression: year 1 with a positive offset overflowed on conversion to UTC (500)
    "from= before year 1 in UTC": query("meetings?from=0001-01-01T00:00:00%2B01:00", "from"),
    "include_deleted=maybe": query("meetings?include_deleted=maybe", "include_deleted"),
    "an empty search": query("employers?q=", "q"),
    "a NUL byte in a search": query("employers?q=%00", "q"),
    "a NUL byte in a text filter": query("meetings?setting=%00", "setting"),
    "an ISO year filter of 2**63": query(f"week_reviews?iso_year={2**63}", "iso_year"),
    "an ISO year filter that is not a number": query("week_reviews?iso_year=abc", "iso_year"),
}


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value[1:-1], value) if value.startswith("{") else value
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items() if v is not NOTHING}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def send(world: World, case: Bad) -> TestResponse:
    client = world.app.test_client()
    url = case.path.format(**world.ids)
    headers = {**world.headers[case.who], **case.headers}
    if case.raw is not None:
        raw = case.raw
        if isinstance(raw, str):
            for key, value in world.ids.items():
                raw = raw.replace("{" + key + "}", value)
        return client.open(
            url, method=case.method, data=raw, headers=headers, content_type=case.content_type
        )
    if case.body is NOTHING:
        return client.open(url, method=case.method, headers=headers)
    return client.open(url, method=case.method, json=fill(case.body, world.ids), headers=headers)


def assert_problem(response: TestResponse, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.json
    assert body is not None and body["status"] == status
    detail = body["detail"]
    assert isinstance(detail, str) and len(detail) >= 15 and detail != body["title"], body
    if field is not None:
        assert isinstance(body.get("errors"), dict), body
        assert field in body["errors"], body
        assert body["errors"][field], body


# --- The tests ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_refused_clearly_and_changes_nothing(world: World, name: str) -> None:
    case = CASES[name]
    before = snapshot(world.app)
    response = send(world, case)
    assert_problem(response, case.status, case.field)
    assert snapshot(world.app) == before, "a refused request changed the database"


@pytest.mark.parametrize(
    "entity, body",
    [
        ("meetings", meeting()),
        ("employers", employer()),
        ("participants", participant()),
        ("job_matches", job_match()),
        ("consents", consent()),
        ("employer_contacts", contact()),
    ],
)
def test_the_bodies_the_table_starts_from_are_valid(
    world: World, entity: str, body: dict[str, Any]
) -> None:
    """So that each row above fails for the one thing it changes. (Runs after the table.)"""
    response = world.app.test_client().post(
        f"{API}/{entity}", json=fill(body, world.ids), headers=world.headers["specialist"]
    )
    assert response.status_code == 201, response.json


def test_a_week_review_body_the_table_starts_from_is_valid(world: World) -> None:
    body = fill(review(iso_week=41), world.ids)
    response = world.app.test_client().post(
        f"{API}/week_reviews", json=body, headers=world.headers["supervisor"]
    )
    assert response.status_code == 201, response.json


# --- Regressions that are not refusals -----------------------------------------------------


def test_a_page_far_past_the_end_is_empty_not_an_overflow(world: World) -> None:
    """regression: OFFSET (2**63 - 1) * 50 overflowed SQLite's and PostgreSQL's integers (500)."""
    client = world.app.test_client()
    for page in (2**31, 2**62, 2**63, 10**100):
        response = client.get(f"{API}/meetings?page={page}", headers=world.headers["specialist"])
        assert response.status_code == 200, response.json
        assert response.json == []


def test_number_filters_are_read_from_the_query_string(world: World) -> None:
    """regression: the strict integer field refused "2026" from the query string (422)."""
    response = world.app.test_client().get(
        f"{API}/week_reviews?iso_year=2026&iso_week=47", headers=world.headers["supervisor"]
    )
    assert response.status_code == 200, response.json
    assert [r["id"] for r in response.json] == [world.ids["week_review"]]
