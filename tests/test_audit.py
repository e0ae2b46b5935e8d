"""The audit log (domain.md, privacy): every read and change of a participant's data is
attributable to a user, a time, an action and the access rule that allowed it."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import String, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

import api.audit.service as audit_service
from api.access import Actor, why_allowed
from api.audit.models import AuditEvent
from api.audit.service import entries_for, pull_entries, report_entries
from api.common.model import new_id, utcnow
from api.extensions import db
from tests.audit_maintenance import allow_audit_log_maintenance
from tests.factories import Factory, oslo
from tests.test_sync import Device, mutation

API = "/api/v1"
CODE = re.compile(r"^[a-z_.]+$")


def entries(**where: Any) -> list[AuditEvent]:
    """The audit entries matching `where` (column = value), oldest first, as committed."""
    db.session.rollback()
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(db.session.scalars(query))


def summary(found: list[AuditEvent]) -> set[tuple[Any, ...]]:
    return {(e.action, e.entity, e.participant_id, e.record_count) for e in found}


def _world(make: Factory) -> dict[str, Any]:
    supervisor = make.user("supervisor")
    team = supervisor.team
    js = make.user("specialist", team=team)
    js2 = make.user("specialist", team=team)
    employer = make.employer(js)
    p = make.participant(js, first_name="Solveig", last_name="Brattli")
    q = make.participant(js, first_name="Tor", last_name="Vik")
    r = make.participant(js2, first_name="Rune", last_name="Lia")
    return {
        "supervisor": supervisor,
        "js": js,
        "js2": js2,
        "admin": make.user("admin"),
        "employer": employer,
        "p": p,
        "q": q,
        "r": r,
        "p_login": make.participant_user(p),
        "p_meetings": [make.meeting(p, notes="Snakket om CV") for _ in range(2)],
        "q_meeting": make.meeting(q),
        "p_goal": make.goal(p),
        "p_contact": make.employer_contact(js, employer, participant_id=p.id),
        "general_contact": make.employer_contact(js, employer),
        "team_meeting": make.team_meeting(js),
    }


# --- REST --------------------------------------------------------------------------------


def test_a_specialist_reading_a_participant_is_recorded_with_who_when_what_and_why(
    client, make, login
):
    w = _world(make)
    headers = login(w["js"])
    before = utcnow()
    response = client.get(f"{API}/participants/{w['p'].id}", headers=headers)
    after = utcnow()
    assert response.status_code == 200
    [entry] = entries()
    assert (entry.actor_id, entry.actor_role) == (w["js"].id, "specialist")
    assert before <= entry.at <= after
    assert (entry.action, entry.entity) == ("read", "participants")
    assert entry.record_id == entry.participant_id == w["p"].id
    assert entry.record_count == 1
    assert entry.reason == "own_caseload"
    assert entry.endpoint == "participants.participants_item"
    assert entry.request_id is not None


def test_a_list_records_one_entry_per_participant_naming_the_record_only_when_there_is_one(
    client, make, login
):
    w = _world(make)
    response = client.get(f"{API}/meetings", headers=login(w["js"]))
    assert response.status_code == 200 and len(response.json) == 3
    found = entries()
    assert summary(found) == {
        ("read", "meetings", w["p"].id, 2),
        ("read", "meetings", w["q"].id, 1),
    }
    by_participant = {e.participant_id: e for e in found}
    assert by_participant[w["p"].id].record_id is None
    assert by_participant[w["q"].id].record_id == w["q_meeting"].id
    assert len({e.request_id for e in found}) == 1  # one request


def test_each_role_is_recorded_with_the_rule_that_let_it_read(client, make, login):
    w = _world(make)
    reads = [
        (w["supervisor"], f"{API}/meetings/{w['p_meetings'][0].id}", "team_supervisor"),
        (w["p_login"], f"{API}/plan_goals/{w['p_goal'].id}", "self"),
        (w["admin"], f"{API}/participants/{w['p'].id}", "admin"),
        (w["js"], f"{API}/employer_contacts/{w['p_contact'].id}", "own_records"),
    ]
    for user, url, _ in reads:
        assert client.get(url, headers=login(user)).status_code == 200, url
    found = entries()
    assert [(e.actor_id, e.participant_id, e.reason) for e in found] == [
        (user.id, w["p"].id, reason) for user, _, reason in reads
    ]
    assert [e.actor_role for e in found] == ["supervisor", "participant", "admin", "specialist"]


def test_a_read_of_no_participant_data_or_a_refused_one_records_nothing(client, make, login):
    w = _world(make)
    headers = login(w["js"])
    for url in (
        f"{API}/employers",
        f"{API}/team_meetings",
        f"{API}/employer_contacts/{w['general_contact'].id}",
        f"{API}/participants/{w['r'].id}",  # a colleague's: 404
        f"{API}/participants/{new_id()}",
        f"{API}/participants?bogus=1",
    ):
        client.get(url, headers=headers)
    assert client.get(f"{API}/consents", headers=login(w["p_login"])).status_code == 403
    assert entries() == []


def test_changes_through_rest_are_recorded_and_a_refused_change_is_not(client, make, login):
    w = _world(make)
    headers = login(w["js"])
    created = client.post(
        f"{API}/meetings",
        json={
            "participant_id": str(w["p"].id),
            "starts_at": "2026-11-20T10:00:00+01:00",
            "duration_minutes": 30,
            "setting": "community",
            "kind": "job_search",
        },
        headers=headers,
    )
    assert created.status_code == 201, created.json
    meeting = created.json["id"]
    assert client.patch(
        f"{API}/meetings/{meeting}", json={"place": "Kafé"}, headers=headers
    ).status_code == (200)
    assert client.delete(f"{API}/meetings/{meeting}", headers=headers).status_code == 204
    refused = client.post(
        f"{API}/plan_goals", json={"participant_id": str(w["r"].id), "title": "X"}, headers=headers
    )
    assert refused.status_code == 422
    found = entries()
    assert [(e.action, e.entity, str(e.record_id), e.participant_id) for e in found] == [
        (action, "meetings", meeting, w["p"].id) for action in ("create", "update", "delete")
    ]
    assert {e.reason for e in found} == {"own_caseload"}


def test_moving_a_record_to_another_participant_changes_the_data_of_both(client, make, login):
    w = _world(make)
    goal = w["p_goal"]
    response = client.patch(
        f"{API}/plan_goals/{goal.id}",
        json={"participant_id": str(w["q"].id)},
        headers=login(w["js"]),
    )
    assert response.status_code == 200, response.json
    found = entries(action="update")
    assert {(e.record_id, e.participant_id) for e in found} == {
        (goal.id, w["p"].id),
        (goal.id, w["q"].id),
    }


def test_a_transfer_to_another_specialist_is_recorded_as_the_admins_change(client, make, login):
    w = _world(make)
    response = client.post(
        f"{API}/participants/{w['p'].id}/transfer",
        json={"specialist_id": str(w["js2"].id)},
        headers=login(w["admin"]),
    )
    assert response.status_code == 200, response.json
    [entry] = entries(action="update")
    assert (entry.actor_id, entry.entity, entry.participant_id, entry.reason) == (
        w["admin"].id,
        "participants",
        w["p"].id,
        "admin",
    )


# --- Sync ----------------------------------------------------------------------------------


def test_a_pull_records_a_read_per_participant_and_entity_and_a_pull_of_nothing_none(
    client, make, login
):
    w = _world(make)
    make.conflict(w["js"], entity="meetings", record_id=w["p_meetings"][0].id, field="notes")
    device = Device(client, login(w["js"]))
    changes = device.sync()
    assert {c["entity"] for c in changes} >= {"employers", "team_meetings", "employer_contacts"}
    found = entries()
    p, q = w["p"].id, w["q"].id
    assert summary(found) == {
        ("read", "participants", p, 1),
        ("read", "participants", q, 1),
        ("read", "meetings", p, 2),
        ("read", "meetings", q, 1),
        ("read", "plan_goals", p, 1),
        ("read", "employer_contacts", p, 1),  # the general contact names nobody
        ("read", "conflicts", p, 1),
    }
    assert {e.endpoint for e in found} == {"sync.pull_route"}
    assert {e.reason for e in found} == {"own_caseload", "own_records"}
    assert {e.reason for e in found if e.entity in ("employer_contacts", "conflicts")} == {
        "own_records"
    }

    assert device.sync() == []  # nothing new: nothing read
    assert len(entries()) == len(found)

    # A tombstone carries no data: handing it out is no read.
    assert client.delete(
        f"{API}/meetings/{w['q_meeting'].id}", headers=login(w["js"])
    ).status_code == (204)
    assert [c["op"] for c in device.sync()] == ["delete"]
    assert summary(entries(action="read")) == summary(found)


def test_a_push_records_the_applied_mutations_and_not_the_rejected_ones(client, make, login):
    w = _world(make)
    device = Device(client, login(w["js"]))
    device.sync()
    meeting = {
        "starts_at": "2026-11-20T10:00:00+01:00",
        "duration_minutes": 45,
        "setting": "community",
        "kind": "follow_along",
    }
    new_p, new_q, new_r = new_id(), new_id(), new_id()
    outbox = [
        mutation("meetings", new_p, {**meeting, "participant_id": str(w["p"].id)}),
        mutation("meetings", new_q, {**meeting, "participant_id": str(w["q"].id)}),
        mutation("meetings", new_r, {**meeting, "participant_id": str(w["r"].id)}),
        mutation("participants", w["p"].id, {"phone": "+47 400 00 000"}, base_version=1),
    ]
    results = device.push(*outbox)
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "applied"]
    found = entries(endpoint="sync.push_route")
    assert {(e.action, e.entity, e.record_id, e.participant_id) for e in found} == {
        ("create", "meetings", new_p, w["p"].id),
        ("create", "meetings", new_q, w["q"].id),
        ("update", "participants", w["p"].id, w["p"].id),
    }
    # A push sent again (its answer was lost) writes nothing, so it records nothing.
    again = device.push(*outbox)
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "rejected", "duplicate"]
    assert len(entries(endpoint="sync.push_route")) == 3


# --- Reports and the participant's rights -----------------------------------------------------


def test_the_fidelity_evidence_records_reads_of_the_participants_it_names(client, make, login):
    w = _world(make)
    make.employer_contact(
        w["js"], w["employer"], participant_id=w["q"].id, contacted_at=oslo(2026, 9, 10)
    )
    headers = login(w["supervisor"])
    query = {"from": "2026-08-31", "to": "2026-11-29"}
    response = client.get(f"{API}/reports/fidelity", query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    evidence = json.dumps(response.json)
    named = {uuid.UUID(i) for i in re.findall(r'"participant_id": "([0-9a-f-]{36})"', evidence)}
    assert named == {w[name].id for name in ("p", "q", "r")}  # the team's, entered in it
    found = entries()
    assert summary(found) == {("read", "fidelity_report", pid, 1) for pid in named}
    assert {(e.reason, e.record_id) for e in found} == {("team_supervisor", None)}

    # The spreadsheet lists items and scores only; the other reports count, naming nobody.
    csv = client.get(
        f"{API}/reports/fidelity", query_string={**query, "format": "csv"}, headers=headers
    )
    assert csv.status_code == 200 and str(w["q"].id) not in csv.get_data(as_text=True)
    for name, args in (("weekly", {}), ("outcomes", {"quarter": "2026-Q3"})):
        report = client.get(f"{API}/reports/{name}", query_string=args, headers=headers)
        assert report.status_code == 200, report.json
    assert len(entries()) == len(found)


def test_the_export_and_the_erasure_are_recorded_and_the_trail_outlives_the_erasure(
    client, make, login
):
    w = _world(make)
    p = w["p"].id
    js_headers, admin = login(w["js"]), login(w["admin"])
    assert client.get(f"{API}/participants/{p}/export", headers=js_headers).status_code == 200
    assert client.get(f"{API}/meetings", headers=js_headers).status_code == 200
    closed = client.patch(
        f"{API}/participants/{p}",
        json={"status": "closed", "closed_on": "2026-11-01"},
        headers=js_headers,
    )
    assert closed.status_code == 200
    erased = client.post(f"{API}/participants/{p}/erase", json={"confirm": str(p)}, headers=admin)
    assert erased.status_code == 200, erased.json

    trail = client.get(f"{API}/audit", query_string={"participant_id": str(p)}, headers=admin)
    assert trail.status_code == 200
    # newest first: the erasure, the closing, the list of meetings, the export
    assert [(e["action"], e["entity"], e["reason"]) for e in trail.json] == [
        ("erase", "participants", "admin"),
        ("update", "participants", "own_caseload"),
        ("read", "meetings", "own_caseload"),
        ("export", "participants", "own_caseload"),
    ]
    assert trail.json[0]["actor_id"] == str(w["admin"].id)
    assert trail.json[0]["record_id"] == str(p)
    # Ids and codes only: nothing of what erasure removed, nor any other text.
    body = trail.get_data(as_text=True)
    for secret in ("Solveig", "Brattli", "Snakket om CV"):
        assert secret not in body
    db.session.rollback()
    for row in db.session.execute(
        select(*(c for c in AuditEvent.__table__.c if isinstance(c.type, String)))
    ):
        assert all(value is None or CODE.match(value) for value in row), row


# --- The admin's search ----------------------------------------------------------------------


def test_the_admin_searches_newest_first_by_participant_actor_action_entity_and_time(
    client, make, login
):
    w = _world(make)
    js, supervisor, admin = login(w["js"]), login(w["supervisor"]), login(w["admin"])
    assert client.get(f"{API}/participants/{w['p'].id}", headers=js).status_code == 200
    middle = utcnow()
    assert client.get(f"{API}/participants", headers=supervisor).status_code == 200
    assert client.get(f"{API}/meetings/{w['q_meeting'].id}", headers=js).status_code == 200

    def search(**query: Any) -> list[dict[str, Any]]:
        response = client.get(f"{API}/audit", query_string=query, headers=admin)
        assert response.status_code == 200, response.json
        return response.json

    everything = search()
    assert [(e["actor_role"], e["entity"]) for e in everything] == [
        ("specialist", "meetings"),
        ("supervisor", "participants"),
        ("supervisor", "participants"),
        ("supervisor", "participants"),
        ("specialist", "participants"),
    ]
    assert [e["at"] for e in everything] == sorted((e["at"] for e in everything), reverse=True)
    assert {e["participant_id"] for e in search(actor_id=str(w["supervisor"].id))} == {
        str(w["p"].id),
        str(w["q"].id),
        str(w["r"].id),
    }
    assert len(search(participant_id=str(w["p"].id))) == 2
    assert len(search(participant_id=str(w["p"].id), actor_id=str(w["js"].id))) == 1
    assert [e["entity"] for e in search(entity="meetings")] == ["meetings"]
    assert search(action="update") == []
    assert search(record_id=str(w["q_meeting"].id)) == everything[:1]
    assert len(search(**{"from": middle.isoformat()})) == 4
    assert len(search(**{"to": middle.isoformat()})) == 1
    # Pages as every list of the API: page and page_size, and the X-Pagination header.
    page = client.get(f"{API}/audit", query_string={"page_size": 2, "page": 2}, headers=admin)
    assert page.json == everything[2:4]
    assert json.loads(page.headers["X-Pagination"])["total"] == 5
    far = client.get(f"{API}/audit", query_string={"page": 10**6}, headers=admin)
    assert far.status_code == 200 and far.json == []
    # The search itself reads no participant's data, and is not recorded.
    assert len(entries()) == 5


def test_the_search_is_for_admins_and_refuses_what_it_does_not_know(client, make, login):
    w = _world(make)
    for user in (w["js"], w["supervisor"], w["p_login"]):
        assert client.get(f"{API}/audit", headers=login(user)).status_code == 403
    admin = login(w["admin"])
    for query in ({"participant": str(w["p"].id)}, {"action": "peek"}, {"from": "yesterday"}):
        response = client.get(f"{API}/audit", query_string=query, headers=admin)
        assert response.status_code == 422, (query, response.json)
        assert response.mimetype == "application/problem+json"


# --- Append-only ---------------------------------------------------------------------------


def test_no_route_changes_the_audit_log(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "audit" in rule.rule
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == {("GET", "/api/v1/audit")}


def _one_entry() -> uuid.UUID:
    actor = Actor(new_id(), "specialist", new_id(), "Someone")
    [entry] = entries_for(actor, "read", "meetings", [(new_id(), new_id())])
    audit_service.record_access([entry])
    db.session.commit()
    return uuid.UUID(str(entry["id"]))


CHANGES = {
    "UPDATE": "UPDATE audit_log SET reason = 'admin'",
    "DELETE": "DELETE FROM audit_log WHERE id IS NOT NULL",
    "TRUNCATE": "TRUNCATE audit_log",
}


def test_the_database_refuses_to_change_or_empty_the_audit_log_unless_for_maintenance(app, make):
    entry_id = _one_entry()
    postgresql = db.engine.dialect.name == "postgresql"
    for operation, statement in CHANGES.items():
        if postgresql:
            with db.engine.connect() as conn, pytest.raises(DBAPIError) as refused:
                conn.execute(text(statement))
            assert f"audit_log is append-only: {operation} is refused" in str(refused.value)
        elif operation != "TRUNCATE":  # (not SQLite's)
            # SQLite has no guard (docs/security.md): only the API stands in the way.
            with db.engine.connect() as conn:
                assert conn.execute(text(statement)).rowcount == 1
                conn.rollback()
    assert [e.id for e in entries()] == [entry_id]
    # A retention job says it is maintenance, in its own transaction, and may.
    with db.engine.begin() as conn:
        allow_audit_log_maintenance(conn)
        conn.execute(text("DELETE FROM audit_log"))
    assert entries() == []
    # ...and the next transaction is guarded again.
    _one_entry()
    if postgresql:
        with db.engine.connect() as conn, pytest.raises(DBAPIError):
            conn.execute(text(CHANGES["DELETE"]))
    assert len(entries()) == 1


def test_a_read_that_cannot_be_recorded_is_not_sent(client, make, login, monkeypatch):
    w = _world(make)
    headers = login(w["js"])

    def broken(found: list[dict[str, Any]]) -> None:
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    monkeypatch.setattr(audit_service, "record_access", broken)
    for url in (f"{API}/participants/{w['p'].id}", f"{API}/participants/{w['p'].id}/export"):
        response = client.get(url, headers=headers)
        assert response.status_code == 500, url
        assert response.mimetype == "application/problem+json"
        assert "audit log" in response.json["detail"]
        assert "Solveig" not in response.get_data(as_text=True)
        assert "Content-Disposition" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # What reads nobody's data is not held up.
    assert client.get(f"{API}/employers", headers=headers).status_code == 200


# --- The plain functions ---------------------------------------------------------------------


def test_entries_name_the_record_only_when_there_is_one_and_count_them():
    actor = Actor(new_id(), "supervisor", new_id(), "Sara")
    p, q, one, two, three = (new_id() for _ in range(5))
    found = entries_for(actor, "read", "meetings", [(one, p), (two, p), (two, p), (three, q)])
    assert {(e["participant_id"], e["record_id"], e["record_count"]) for e in found} == {
        (p, None, 2),
        (q, three, 1),
    }
    assert {e["reason"] for e in found} == {"team_supervisor"}
    assert len({e["id"] for e in found}) == 2
    assert all(e["request_id"] is None and e["endpoint"] is None for e in found)  # no request
    assert entries_for(actor, "read", "meetings", []) == []
    assert entries_for(actor, "read", "meetings", [(one, p)], reason="admin")[0]["reason"] == (
        "admin"
    )


def test_why_allowed_names_the_rule_of_the_role_and_entity():
    def actor(role: str) -> Actor:
        return Actor(new_id(), role, new_id(), role)

    assert why_allowed(actor("specialist"), "meetings") == "own_caseload"
    assert why_allowed(actor("specialist"), "employer_contacts") == "own_records"
    assert why_allowed(actor("participant"), "conflicts") == "own_records"
    assert why_allowed(actor("supervisor"), "employer_contacts") == "team_supervisor"
    assert why_allowed(actor("participant"), "plan_steps") == "self"
    assert why_allowed(actor("admin"), "participants") == "admin"
    assert why_allowed(actor("supervisor")) == "team_supervisor"  # a report


def test_pull_entries_count_rows_with_data_of_a_participant_only(app):
    actor = Actor(new_id(), "specialist", new_id(), "Jo")
    p = str(new_id())

    def change(entity: str, data: dict[str, Any] | None, op: str = "upsert") -> dict[str, Any]:
        record_id = str(new_id())
        body = None if data is None else {"id": record_id, **data}
        return {"entity": entity, "id": record_id, "op": op, "data": body}

    changes = [
        change("participants", {}),
        change("meetings", {"participant_id": p}),
        change("meetings", {"participant_id": p}),
        change("meetings", None, op="delete"),
        change("employer_contacts", {"participant_id": None}),
        change("employers", {"name": "Bedrift AS"}),
        {"entity": "meetings", "id": str(new_id()), "op": "evict", "data": None},
    ]
    with app.app_context():
        found = pull_entries(actor, changes)
    assert {(e["entity"], str(e["participant_id"]), e["record_count"]) for e in found} == {
        ("participants", changes[0]["id"], 1),
        ("meetings", p, 2),
    }


def test_report_entries_find_participants_at_any_depth():
    actor = Actor(new_id(), "admin", None, "Ada")
    p, q = new_id(), new_id()
    report = {
        "items": [
            {"evidence": {"participants": [{"participant_id": str(p)}], "jobs": []}},
            {"evidence": {"jobs": [{"job_match_id": str(new_id()), "participant_id": str(q)}]}},
            {"evidence": {"participant_id": str(p)}},
        ]
    }
    found = report_entries(actor, "fidelity_report", report)
    assert {(e["participant_id"], e["entity"], e["reason"]) for e in found} == {
        (p, "fidelity_report", "admin"),
        (q, "fidelity_report", "admin"),
    }
    assert report_entries(actor, "fidelity_report", {"items": []}) == []
