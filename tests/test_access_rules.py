"""The access rules as sentences, each checked through the REST API on the shared world.

The world is the one of tests/test_access_matrix.py: team A (supervisor sup_a, specialists js1
with P1 and P3, and js2 with P2; P1 and P2 have logins p1 and p2), an admin, and team B (sup_b,
js_b, PB with the login p_b). Rows are named by caseload: A1 is js1's and P1's, A2 is js2's and
P2's, B is team B's.

An entity that tests/test_access_matrix.py does not pin (a new one) is checked here too, against
its declared rules: who finds which of the world's records in a list.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from api.access import NOTE_FIELDS, rules_for
from api.common.model import new_id
from api.entities import caseload_entities
from api.extensions import db
from tests.test_access_matrix import (
    API,
    CASELOAD_PLAYERS,
    DECLARED_ONLY,
    ENTITY_NAMES,
    PINNED,
    PLAYER,
    PROBLEM,
    SOME_TIME,
    World,
    _wipe,
    assert_problem,
)


@pytest.fixture(autouse=True)
def clean_database() -> Iterator[None]:
    """Replaces conftest's wipe after every test: here the world lives for the whole module."""
    yield


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    _wipe(app)
    built = World(app)
    yield built
    _wipe(app)


@pytest.fixture(autouse=True)
def _fresh_records(world: World) -> None:
    world.refresh_records()


def row_counts(world: World) -> dict[str, int]:
    with world.app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return counts


def ids_of(response: Any) -> set[str]:
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json}


def same_instant(a: str | None, b: str) -> bool:
    return a is not None and datetime.fromisoformat(a) == datetime.fromisoformat(b)


# --- Supervisors read counts and summaries, not note text ---------------------------------

# Each entity with note text, and a field of it that the world fills in.
NOTE_TEXT = {
    "participants": "phone",
    "consents": "note",
    "career_profiles": "strengths",
    "employers": "notes",
    "employer_contacts": "notes",
    "meetings": "notes",
    "team_meetings": "notes",
    "job_matches": "notes",
}


@pytest.mark.parametrize("entity", sorted(NOTE_TEXT))
def test_a_supervisor_reads_the_teams_records_without_their_note_text(
    world: World, entity: str
) -> None:
    record_id = str(world.rec["A1"][entity])
    own = world.call("js1", "GET", f"{API}/{entity}/{record_id}").json
    assert own is not None and own[NOTE_TEXT[entity]], "the world should hold note text here"

    listed = world.call("sup_a", "GET", f"{API}/{entity}?page_size=500")
    assert listed.status_code == 200
    records = {item["id"]: item for item in listed.json}
    assert record_id in records, "the supervisor reads every record of the team"
    item = world.call("sup_a", "GET", f"{API}/{entity}/{record_id}")
    assert item.status_code == 200
    for shown in [*records.values(), item.json]:
        assert not NOTE_FIELDS & shown.keys(), f"note text shown: {NOTE_FIELDS & shown.keys()}"
    assert item.json["id"] == own["id"] and item.json["version"] == own["version"]


def test_the_supervisors_lists_of_employer_contacts_and_meetings_have_no_notes(
    world: World,
) -> None:
    for entity in ("employer_contacts", "meetings"):
        listed = world.call("sup_a", "GET", f"{API}/{entity}").json
        assert len(listed) == 2  # js1's and js2's
        assert all("notes" not in item for item in listed)
        assert all(
            world.call(who, "GET", f"{API}/{entity}").json[0]["notes"] for who in ("js1", "js2")
        )


def test_a_participant_sees_their_meetings_jobs_and_employers_without_the_specialists_notes(
    world: World,
) -> None:
    hidden = {
        "meetings": {"notes"},
        "job_matches": {"notes"},
        "employers": {"notes", "contact_person", "phone"},
    }
    for entity, fields in hidden.items():
        item = world.call("p1", "GET", f"{API}/{entity}/{world.rec['A1'][entity]}")
        assert item.status_code == 200
        assert not fields & item.json.keys(), (entity, fields & item.json.keys())
    meeting = world.call("p1", "GET", f"{API}/meetings/{world.rec['A1']['meetings']}").json
    assert meeting["agreed_next_steps"] == "CV"  # what was agreed is theirs to see


# --- Lists hold exactly what each person may see -------------------------------------------


def visible(world: World, who: str, entity: str) -> set[str]:
    """What `who` should find in the list of `entity`, from the product's rules (for an entity
    that is not pinned, the world's records its declared read scope lets them see)."""
    a1, a2, b, extra = world.rec["A1"], world.rec["A2"], world.rec["B"], world.extra
    if entity in DECLARED_ONLY:
        records = (world.rec[caseload][entity] for caseload in CASELOAD_PLAYERS)
        return {str(r) for r in records if world.sees(who, entity, r)}

    def rows(*caseloads: dict[str, uuid.UUID]) -> set[str]:
        return {str(c[entity]) for c in caseloads}

    if who == "js1":
        more = {"participants": {extra["P3"]}, "employers": {a2["employers"], extra["EA3"]}}
        return rows(a1) | {str(i) for i in more.get(entity, ())}
    if who == "sup_a":
        if entity == "conflicts":
            return {str(extra["conflict_sup_a"])}
        more = {"participants": {extra["P3"]}, "employers": {extra["EA3"]}}
        return rows(a1, a2) | {str(i) for i in more.get(entity, ())}
    if who == "p1":
        if entity == "conflicts":
            return {str(extra["conflict_p1"])}
        return rows(a1)  # participants, employers, meetings, job matches, plan goals and steps
    if who == "js_b":
        return rows(b)
    if who == "admin":
        return rows(a1, a2, b) | {str(extra["P3"])}
    raise AssertionError(who)


def reads(role: str, entity: str) -> bool:
    return role in rules_for(entity).read


LIST_CASES = (
    [
        (who, entity)
        for who, role in (("js1", "specialist"), ("sup_a", "supervisor"), ("js_b", "specialist"))
        for entity in ENTITY_NAMES
        if entity in PINNED or reads(role, entity)
    ]
    + [
        ("p1", entity)
        for entity in (
            "participants",
            "employers",
            "meetings",
            "job_matches",
            "plan_goals",
            "plan_steps",
            "conflicts",
        )
    ]
    + [("admin", "participants")]
    + [
        (PLAYER[role], entity)
        for entity in DECLARED_ONLY
        for role in ("participant", "admin")
        if reads(role, entity)
    ]
)


@pytest.mark.parametrize(("who", "entity"), LIST_CASES)
def test_a_list_holds_exactly_the_rows_its_reader_may_see(
    world: World, who: str, entity: str
) -> None:
    listed = world.call(who, "GET", f"{API}/{entity}?page_size=500")
    assert ids_of(listed) == visible(world, who, entity)


def test_tombstones_are_listed_only_for_those_who_saw_the_record(world: World) -> None:
    meeting = world.rec["A1"]["meetings"]
    assert world.call("js1", "DELETE", f"{API}/meetings/{meeting}").status_code == 204
    for who, sees in (
        ("js1", True),
        ("sup_a", True),
        ("p1", True),
        ("js2", False),
        ("p2", False),
        ("sup_b", False),
        ("js_b", False),
        ("p_b", False),
    ):
        listed = world.call(who, "GET", f"{API}/meetings?include_deleted=true")
        assert (str(meeting) in ids_of(listed)) is sees, who


# --- Participants: their own plan, and ticking off their own steps ------------------------


def test_a_participant_ticks_off_their_own_step(world: World) -> None:
    step = world.rec["A1"]["plan_steps"]
    ticked = world.call("p1", "PATCH", f"{API}/plan_steps/{step}", json={"done_at": SOME_TIME})
    assert ticked.status_code == 200, ticked.json
    seen_by_specialist = world.call("js1", "GET", f"{API}/plan_steps/{step}").json
    assert same_instant(seen_by_specialist["done_at"], SOME_TIME)
    unticked = world.call("p1", "PATCH", f"{API}/plan_steps/{step}", json={"done_at": None})
    assert unticked.status_code == 200 and unticked.json["done_at"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Noe annet"},
        {"due_on": "2026-12-24"},
        {"owner": "specialist"},
        {"done_at": SOME_TIME, "title": "Noe annet"},
    ],
)
def test_a_participant_may_change_nothing_else_of_their_step(
    world: World, change: dict[str, Any]
) -> None:
    step = world.rec["A1"]["plan_steps"]
    before = world.call("js1", "GET", f"{API}/plan_steps/{step}").json
    refused = world.call("p1", "PATCH", f"{API}/plan_steps/{step}", json=change)
    assert refused.status_code == 403
    assert_problem(refused, 403)
    assert set(refused.json["errors"]) == set(change) - {"done_at"}
    assert world.call("js1", "GET", f"{API}/plan_steps/{step}").json == before


def test_a_participant_cannot_touch_another_participants_step(world: World) -> None:
    step = world.rec["A2"]["plan_steps"]
    before = world.call("js2", "GET", f"{API}/plan_steps/{step}").json
    for method, body in (("GET", None), ("PATCH", {"done_at": SOME_TIME}), ("DELETE", None)):
        response = world.call("p1", method, f"{API}/plan_steps/{step}", json=body)
        assert response.status_code == 404, (method, response.json)
        random = world.call("p1", method, f"{API}/plan_steps/{new_id()}", json=body)
        assert random.json == response.json
    assert world.call("js2", "GET", f"{API}/plan_steps/{step}").json == before


def test_a_participant_creates_nothing_not_even_in_their_own_plan(world: World) -> None:
    p1 = str(world.rec["A1"]["participants"])
    before = row_counts(world)
    for entity, body in (
        ("plan_steps", {"participant_id": p1, "title": "Eget steg"}),
        ("plan_goals", {"participant_id": p1, "title": "Eget mål"}),
    ):
        response = world.call("p1", "POST", f"{API}/{entity}", json=body)
        assert response.status_code == 403, response.json
    assert row_counts(world) == before


# --- Specialists: their own caseload, and the team's employers ----------------------------


def test_a_specialist_cannot_log_a_meeting_for_a_colleagues_participant(world: World) -> None:
    before = row_counts(world)
    body = {
        "starts_at": SOME_TIME,
        "duration_minutes": 30,
        "setting": "office",
        "kind": "job_search",
    }
    p2 = world.call(
        "js1",
        "POST",
        f"{API}/meetings",
        json={**body, "participant_id": str(world.rec["A2"]["participants"])},
    )
    assert p2.status_code == 422, p2.json
    assert_problem(p2, 422)
    assert set(p2.json["errors"]) == {"participant_id"}
    random = world.call(
        "js1", "POST", f"{API}/meetings", json={**body, "participant_id": str(new_id())}
    )
    assert random.json == p2.json, "a colleague's participant looks like no participant at all"
    assert row_counts(world) == before


ATTRIBUTED = {  # entity -> a valid new record of js1's, without specialist_id
    "meetings": lambda w: {
        "participant_id": str(w.rec["A1"]["participants"]),
        "starts_at": SOME_TIME,
        "duration_minutes": 30,
        "setting": "community",
        "kind": "follow_along",
    },
    "employer_contacts": lambda w: {
        "employer_id": str(w.rec["A1"]["employers"]),
        "contacted_at": SOME_TIME,
        "mode": "in_person",
    },
    "team_meetings": lambda w: {"starts_at": SOME_TIME, "duration_minutes": 60},
    "participants": lambda w: {
        "first_name": "Per",
        "last_name": "Hansen",
        "enrolled_on": "2026-10-01",
    },
}


@pytest.mark.parametrize("entity", sorted(ATTRIBUTED))
def test_a_specialist_cannot_record_work_in_a_colleagues_name(world: World, entity: str) -> None:
    js2 = str(world.ids["js2"])
    before = row_counts(world)
    created = world.call(
        "js1", "POST", f"{API}/{entity}", json={**ATTRIBUTED[entity](world), "specialist_id": js2}
    )
    assert created.status_code in (403, 422), created.json
    if created.status_code == 422:
        assert "specialist_id" in created.json["errors"]
    assert row_counts(world) == before

    record = world.rec["A1"][entity]
    before_change = world.call("js1", "GET", f"{API}/{entity}/{record}").json
    assert before_change["specialist_id"] == str(world.ids["js1"])
    changed = world.call("js1", "PATCH", f"{API}/{entity}/{record}", json={"specialist_id": js2})
    assert changed.status_code in (403, 422), changed.json
    after = world.call("js1", "GET", f"{API}/{entity}/{record}")
    assert after.status_code == 200 and after.json == before_change

    own = world.call(
        "js1",
        "POST",
        f"{API}/{entity}",
        json={**ATTRIBUTED[entity](world), "specialist_id": str(world.ids["js1"])},
    )
    assert own.status_code == 201, own.json  # naming oneself is fine


def test_a_specialist_cannot_read_a_colleagues_participants(world: World) -> None:
    p2 = world.rec["A2"]["participants"]
    response = world.call("js1", "GET", f"{API}/participants/{p2}")
    assert response.status_code == 404
    assert response.json == world.call("js1", "GET", f"{API}/participants/{new_id()}").json
    listed = world.call("js1", "GET", f"{API}/participants?specialist_id={world.ids['js2']}")
    assert listed.status_code == 200 and listed.json == []
    for entity in caseload_entities():
        filtered = world.call("js1", "GET", f"{API}/{entity}?participant_id={p2}")
        assert filtered.status_code == 200 and filtered.json == [], entity


def test_a_specialist_cannot_move_their_record_to_a_colleagues_participant(world: World) -> None:
    meeting = world.rec["A1"]["meetings"]
    moved = world.call(
        "js1",
        "PATCH",
        f"{API}/meetings/{meeting}",
        json={"participant_id": str(world.rec["A2"]["participants"])},
    )
    assert moved.status_code == 422 and set(moved.json["errors"]) == {"participant_id"}
    after = world.call("js1", "GET", f"{API}/meetings/{meeting}").json
    assert after["participant_id"] == str(world.rec["A1"]["participants"])


def test_a_specialist_reads_and_writes_the_teams_employers(world: World) -> None:
    colleagues = world.rec["A2"]["employers"]  # matched by js2, never touched by js1
    assert world.call("js1", "GET", f"{API}/employers/{colleagues}").status_code == 200
    changed = world.call(
        "js1", "PATCH", f"{API}/employers/{colleagues}", json={"industry": "Bygg og anlegg"}
    )
    assert changed.status_code == 200, changed.json
    assert (
        world.call("js2", "GET", f"{API}/employers/{colleagues}").json["industry"]
        == "Bygg og anlegg"
    )

    created = world.call("js1", "POST", f"{API}/employers", json={"name": "Ny Butikk AS"})
    assert created.status_code == 201, created.json
    new = created.json["id"]
    assert world.call("js2", "GET", f"{API}/employers/{new}").status_code == 200
    assert world.call("sup_a", "GET", f"{API}/employers/{new}").status_code == 200
    for outsider in ("js_b", "sup_b", "p_b", "p1"):
        assert world.call(outsider, "GET", f"{API}/employers/{new}").status_code == 404, outsider


# --- Another team's rows cannot be used, nor even detected --------------------------------

# (who, entity, a valid body of their own, the field pointed at team A's row, team A's row)
FOREIGN_REFERENCES = {
    "employer contact at team A's employer": (
        "js_b",
        "employer_contacts",
        lambda w: {"employer_id": str(w.rec["B"]["employers"]), "contacted_at": SOME_TIME},
        "employer_id",
        lambda w: w.rec["A1"]["employers"],
    ),
    "employer contact about team A's participant": (
        "js_b",
        "employer_contacts",
        lambda w: {"employer_id": str(w.rec["B"]["employers"]), "contacted_at": SOME_TIME},
        "participant_id",
        lambda w: w.rec["A1"]["participants"],
    ),
    "job match at team A's employer": (
        "js_b",
        "job_matches",
        lambda w: {
            "participant_id": str(w.rec["B"]["participants"]),
            "employer_id": str(w.rec["B"]["employers"]),
            "job_title": "Kokk",
        },
        "employer_id",
        lambda w: w.rec["A1"]["employers"],
    ),
    "meeting with team A's participant": (
        "js_b",
        "meetings",
        lambda w: {
            "participant_id": str(w.rec["B"]["participants"]),
            "starts_at": SOME_TIME,
            "duration_minutes": 30,
            "setting": "office",
            "kind": "intake",
        },
        "participant_id",
        lambda w: w.rec["A1"]["participants"],
    ),
    "career profile of team A's participant (who has one)": (
        "js_b",
        "career_profiles",
        lambda w: {"participant_id": str(w.extra["P3"])},
        "participant_id",
        lambda w: w.rec["A1"]["participants"],
    ),
    "plan step under team A's goal": (
        "js_b",
        "plan_steps",
        lambda w: {"participant_id": str(w.rec["B"]["participants"]), "title": "Steg"},
        "goal_id",
        lambda w: w.rec["A1"]["plan_goals"],
    ),
    "plan step from team A's meeting": (
        "js_b",
        "plan_steps",
        lambda w: {"participant_id": str(w.rec["B"]["participants"]), "title": "Steg"},
        "meeting_id",
        lambda w: w.rec["A1"]["meetings"],
    ),
    "week review of team A's specialist (reviewed that week)": (
        "sup_b",
        "week_reviews",
        lambda w: {"iso_year": 2026, "iso_week": 47},
        "specialist_id",
        lambda w: w.ids["js1"],
    ),
}


@pytest.mark.parametrize("case", sorted(FOREIGN_REFERENCES))
def test_another_teams_row_cannot_be_referenced_nor_told_from_no_row(
    world: World, case: str
) -> None:
    who, entity, body, field, foreign = FOREIGN_REFERENCES[case]
    before = row_counts(world)
    refused = world.call(
        who, "POST", f"{API}/{entity}", json={**body(world), field: str(foreign(world))}
    )
    assert refused.status_code == 422, refused.json
    assert_problem(refused, 422)
    assert field in refused.json["errors"]
    random = world.call(who, "POST", f"{API}/{entity}", json={**body(world), field: str(new_id())})
    assert random.json == refused.json
    assert row_counts(world) == before


def test_team_b_cannot_log_a_contact_with_team_as_employer_and_nothing_is_written(
    world: World,
) -> None:
    before = row_counts(world)
    response = world.call(
        "js_b",
        "POST",
        f"{API}/employer_contacts",
        json={
            "employer_id": str(world.rec["A1"]["employers"]),
            "contacted_at": SOME_TIME,
            "mode": "in_person",
            "notes": "Besøk",
        },
    )
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert set(response.json["errors"]) == {"employer_id"}
    assert row_counts(world) == before
    listed = world.call("sup_a", "GET", f"{API}/employer_contacts").json
    assert len(listed) == 2  # js1's and js2's, nothing from team B


def test_a_supervisor_reviews_only_weeks_of_specialists_of_their_team(world: World) -> None:
    body = {"iso_year": 2026, "iso_week": 40}
    for specialist in ("js_b", "sup_a", "p1"):
        refused = world.call(
            "sup_a",
            "POST",
            f"{API}/week_reviews",
            json={**body, "specialist_id": str(world.ids[specialist])},
        )
        assert refused.status_code == 422, (specialist, refused.json)
        assert set(refused.json["errors"]) == {"specialist_id"}
    done = world.call(
        "sup_a",
        "POST",
        f"{API}/week_reviews",
        json={**body, "specialist_id": str(world.ids["js2"])},
    )
    assert done.status_code == 201, done.json
    assert done.json["reviewed_by"] == str(world.ids["sup_a"])
    assert world.call("js2", "GET", f"{API}/week_reviews/{done.json['id']}").status_code == 200
    assert world.call("js1", "GET", f"{API}/week_reviews/{done.json['id']}").status_code == 404
    changed = world.call(
        "sup_a",
        "PATCH",
        f"{API}/week_reviews/{done.json['id']}",
        json={"specialist_id": str(world.ids["js1"])},
    )
    assert changed.status_code == 403


# --- Accounts: a specialist does not learn who else is in the programme -------------------


def test_a_specialist_sees_staff_accounts_and_only_their_own_participants_logins(
    world: World,
) -> None:
    listed = {u["id"] for u in world.call("js1", "GET", f"{API}/users?page_size=500").json}
    assert listed == {str(world.ids[n]) for n in ("sup_a", "js1", "js2", "p1")}
    for name, status in (("p2", 404), ("p_b", 404), ("js_b", 404), ("p1", 200), ("js2", 200)):
        response = world.call("js1", "GET", f"{API}/users/{world.ids[name]}")
        assert response.status_code == status, name
    hidden = world.call("js1", "GET", f"{API}/users/{world.ids['p2']}")
    assert hidden.json == world.call("js1", "GET", f"{API}/users/{new_id()}").json


def test_a_supervisor_sees_the_teams_staff_not_participants_logins(world: World) -> None:
    listed = {u["id"] for u in world.call("sup_a", "GET", f"{API}/users?page_size=500").json}
    assert listed == {str(world.ids[n]) for n in ("sup_a", "js1", "js2")}
    assert world.call("sup_a", "GET", f"{API}/users/{world.ids['p1']}").status_code == 404
    everyone = {u["id"] for u in world.call("admin", "GET", f"{API}/users?page_size=500").json}
    assert {str(world.ids[n]) for n in ("p1", "p2", "p_b", "js_b")} <= everyone


# --- Moving a participant to another specialist (admin) -----------------------------------


def test_the_admin_moves_a_participant_and_access_follows(world: World) -> None:
    a1 = world.rec["A1"]
    p1 = a1["participants"]
    moved = world.call(
        "admin",
        "POST",
        f"{API}/participants/{p1}/transfer",
        json={"specialist_id": str(world.ids["js2"])},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["specialist_id"] == str(world.ids["js2"])

    gone = world.call("js1", "GET", f"{API}/participants/{p1}")
    assert gone.status_code == 404
    assert gone.json == world.call("js1", "GET", f"{API}/participants/{new_id()}").json
    assert str(p1) not in ids_of(world.call("js1", "GET", f"{API}/participants"))
    assert world.call("js2", "GET", f"{API}/participants/{p1}").status_code == 200
    assert str(p1) in ids_of(world.call("js2", "GET", f"{API}/participants"))
    for entity in caseload_entities():
        url = f"{API}/{entity}/{a1[entity]}"
        assert world.call("js1", "GET", url).status_code == 404, entity
        assert world.call("js2", "GET", url).status_code == 200, entity
    # the participant keeps their plan, and the team's supervisor still sees them
    assert world.call("p1", "GET", f"{API}/plan_steps/{a1['plan_steps']}").status_code == 200
    assert world.call("sup_a", "GET", f"{API}/participants/{p1}").status_code == 200


def test_the_transfer_answers_with_what_the_admin_may_read_of_the_participant(world: World) -> None:
    p1 = world.rec["A1"]["participants"]
    read = world.call("admin", "GET", f"{API}/participants/{p1}").json
    moved = world.call(
        "admin",
        "POST",
        f"{API}/participants/{p1}/transfer",
        json={"specialist_id": str(world.ids["js2"])},
    )
    assert moved.status_code == 200
    assert set(moved.json) == set(read), "the transfer shows fields a read hides (or not)"
    assert not NOTE_FIELDS & moved.json.keys()


@pytest.mark.parametrize("target", ["js_b", "sup_a", "p1", "admin", "random"])
def test_a_transfer_goes_only_to_an_active_specialist_of_the_participants_team(
    world: World, target: str
) -> None:
    p1 = world.rec["A1"]["participants"]
    before = world.call("js1", "GET", f"{API}/participants/{p1}").json
    specialist = str(new_id()) if target == "random" else str(world.ids[target])
    refused = world.call(
        "admin", "POST", f"{API}/participants/{p1}/transfer", json={"specialist_id": specialist}
    )
    assert refused.status_code == 422, refused.json
    assert_problem(refused, 422)
    assert set(refused.json["errors"]) == {"specialist_id"}
    assert world.call("js1", "GET", f"{API}/participants/{p1}").json == before


def test_a_transfer_of_no_participant_is_404(world: World) -> None:
    response = world.call(
        "admin",
        "POST",
        f"{API}/participants/{new_id()}/transfer",
        json={"specialist_id": str(world.ids["js2"])},
    )
    assert response.status_code == 404
    assert_problem(response, 404)


# --- Lists are paginated -------------------------------------------------------------------


def list_reader(entity: str) -> str:
    """Who pages through a list of an entity that is not pinned: the first role that reads it."""
    return next(
        PLAYER[r] for r in ("supervisor", "specialist", "participant", "admin") if reads(r, entity)
    )


LIST_READERS = {
    **{entity: "sup_a" for entity in PINNED},
    **{entity: list_reader(entity) for entity in DECLARED_ONLY},
    "teams": "admin",
    "users": "admin",
}


@pytest.mark.parametrize("resource", sorted(LIST_READERS))
def test_every_list_is_paginated_and_refuses_pages_over_500(world: World, resource: str) -> None:
    who = LIST_READERS[resource]
    full = world.call(who, "GET", f"{API}/{resource}?page_size=500")
    assert full.status_code == 200
    pagination = json.loads(full.headers["X-Pagination"])
    assert pagination["total"] == len(full.json) >= 1
    first = world.call(who, "GET", f"{API}/{resource}?page_size=1&page=1")
    assert len(first.json) == 1
    assert json.loads(first.headers["X-Pagination"])["total_pages"] == pagination["total"]
    too_big = world.call(who, "GET", f"{API}/{resource}?page_size=501")
    assert too_big.status_code == 422
    assert_problem(too_big, 422)
    assert "page_size" in too_big.json["errors"]


def test_pages_split_a_list_without_overlap(world: World) -> None:
    pages = [
        world.call("sup_a", "GET", f"{API}/meetings?page_size=1&page={n}").json for n in (1, 2, 3)
    ]
    assert [len(p) for p in pages] == [1, 1, 0]
    assert {pages[0][0]["id"], pages[1][0]["id"]} == {
        str(world.rec["A1"]["meetings"]),
        str(world.rec["A2"]["meetings"]),
    }


# --- Known gaps, kept here so that they turn red when fixed ---------------------------------


def test_no_employer_contact_about_a_participant_who_withdrew_consent(world: World) -> None:
    a1 = world.rec["A1"]
    withdrawn = world.call(
        "js1", "PATCH", f"{API}/consents/{a1['consents']}", json={"granted": False}
    )
    assert withdrawn.status_code == 200 and withdrawn.json["counterpart"] == "employers"
    before = row_counts(world)
    response = world.call(
        "js1",
        "POST",
        f"{API}/employer_contacts",
        json={
            "employer_id": str(a1["employers"]),
            "participant_id": str(a1["participants"]),
            "contacted_at": SOME_TIME,
        },
    )
    assert response.status_code == 422, response.status_code
    assert "participant_id" in response.json["errors"]
    assert row_counts(world) == before


def test_an_anonymous_request_is_401_whatever_its_body(world: World) -> None:
    for method, url in (
        ("POST", f"{API}/meetings"),
        ("PATCH", f"{API}/meetings/{world.rec['A1']['meetings']}"),
    ):
        response = world.call("anonymous", method, url, json={"starts_at": "not a time"})
        assert response.status_code == 401, (method, response.status_code)


def test_a_supervisor_moves_a_participant_within_their_team_only(world: World) -> None:
    p1 = world.rec["A1"]["participants"]
    url = f"{API}/participants/{p1}/transfer"
    other_team = world.call("sup_b", "POST", url, json={"specialist_id": str(world.ids["js_b"])})
    assert other_team.status_code == 404
    out_of_team = world.call("sup_a", "POST", url, json={"specialist_id": str(world.ids["js_b"])})
    assert out_of_team.status_code == 422 and set(out_of_team.json["errors"]) == {"specialist_id"}
    moved = world.call("sup_a", "POST", url, json={"specialist_id": str(world.ids["js2"])})
    assert moved.status_code == 200, moved.json
    assert world.call("js2", "GET", f"{API}/participants/{p1}").status_code == 200
    assert world.call("js1", "GET", f"{API}/participants/{p1}").status_code == 404


def test_an_admin_sees_every_team_and_everyone_else_only_their_own():
    from sqlalchemy import literal_column

    from api.access import Actor, may_see_team, team_scope
    from api.common.model import new_id

    own, other = new_id(), new_id()
    admin = Actor(new_id(), "admin", None, "Admin")
    assert may_see_team(admin, own) and may_see_team(admin, other)
    for role in ("specialist", "supervisor", "participant"):
        actor = Actor(new_id(), role, own, role)
        assert may_see_team(actor, own)
        assert not may_see_team(actor, other)
    column = literal_column("team_id")
    assert str(team_scope(admin, column)) == "true"
    assert "team_id =" in str(team_scope(Actor(new_id(), "supervisor", own, "S"), column))


def test_who_may_export_or_erase_a_participants_data():
    from types import SimpleNamespace

    from api.access import Actor, may_exercise_rights
    from api.common.model import new_id

    team, specialist_id, participant_id = new_id(), new_id(), new_id()
    participant = SimpleNamespace(
        id=participant_id, specialist_id=specialist_id, team_id=team, deleted_at=None
    )
    themself = Actor(new_id(), "participant", team, "P", participant_id)
    assert may_exercise_rights(Actor(new_id(), "admin", None, "A"), participant)
    assert may_exercise_rights(themself, participant)
    assert not may_exercise_rights(Actor(new_id(), "participant", team, "P", new_id()), participant)
    assert may_exercise_rights(Actor(specialist_id, "specialist", team, "S"), participant)
    assert not may_exercise_rights(Actor(new_id(), "specialist", team, "S"), participant)
    assert not may_exercise_rights(Actor(new_id(), "supervisor", team, "L"), participant)
    # Off the caseload (deleted), only the participant and an admin still may.
    participant.deleted_at = "2026-12-01"
    assert not may_exercise_rights(Actor(specialist_id, "specialist", team, "S"), participant)
    assert may_exercise_rights(themself, participant)
    assert may_exercise_rights(Actor(new_id(), "admin", None, "A"), participant)
