"""The life of a record through REST: ids, versions, tombstones and the domain's rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from api.common.model import new_id, utcnow
from api.common.time import local_today
from api.employers.models import Employer
from api.extensions import db


def _world(make, login):
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    employer = make.employer(specialist)
    return specialist, participant, employer, login(specialist)


def test_a_client_generated_id_is_kept_and_cannot_be_used_twice(client, make, login):
    _, _, employer, headers = _world(make, login)
    record_id = str(new_id())
    body = {
        "id": record_id,
        "employer_id": str(employer.id),
        "contacted_at": "2026-11-20T10:00:00+01:00",
    }
    first = client.post("/api/v1/employer_contacts", json=body, headers=headers)
    assert first.status_code == 201 and first.json["id"] == record_id
    again = client.post("/api/v1/employer_contacts", json=body, headers=headers)
    assert again.status_code == 409
    assert again.json["errors"] == {"id": "Already taken."}


def test_times_are_stored_as_the_same_instant_in_utc(client, make, login):
    _, _, employer, headers = _world(make, login)
    created = client.post(
        "/api/v1/employer_contacts",
        headers=headers,
        json={"employer_id": str(employer.id), "contacted_at": "2026-11-22T23:30:00+01:00"},
    ).json
    assert datetime.fromisoformat(created["contacted_at"]) == datetime.fromisoformat(
        "2026-11-22T23:30:00+01:00"
    )
    assert created["contacted_at"].endswith("+00:00")
    assert created["specialist_id"] and created["mode"] == "in_person"
    assert created["face_to_face"] is True


def test_every_change_moves_the_version_and_if_match_guards_against_lost_updates(
    client, make, login
):
    _, participant, _, headers = _world(make, login)
    url = f"/api/v1/participants/{participant.id}"
    changed = client.patch(url, json={"phone": "40000000"}, headers=headers)
    assert changed.status_code == 200 and changed.json["version"] == 2
    stale = client.patch(url, json={"phone": "41111111"}, headers={**headers, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert client.get(url, headers=headers).json["phone"] == "40000000"
    fresh = client.patch(url, json={"phone": "41111111"}, headers={**headers, "If-Match": '"2"'})
    assert fresh.status_code == 200 and fresh.json["version"] == 3


def test_delete_leaves_a_tombstone_that_devices_can_learn_of(client, make, login):
    _, _, employer, headers = _world(make, login)
    assert client.delete(f"/api/v1/employers/{employer.id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/employers/{employer.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/employers", headers=headers).json == []
    tombstones = client.get("/api/v1/employers?include_deleted=true", headers=headers).json
    assert [t["id"] for t in tombstones] == [str(employer.id)]
    assert tombstones[0]["deleted_at"] is not None
    assert db.session.get(Employer, employer.id) is not None


def test_closing_a_participant_dates_it_today_and_refuses_a_date_before_entry(client, make, login):
    _, participant, _, headers = _world(make, login)
    url = f"/api/v1/participants/{participant.id}"
    early = client.patch(url, json={"closed_on": "2020-01-01"}, headers=headers)
    assert early.status_code == 422 and "closed_on" in early.json["errors"]
    closed = client.patch(url, json={"status": "closed"}, headers=headers)
    assert closed.status_code == 200
    assert closed.json["closed_on"] == local_today().isoformat()


def test_a_hired_job_needs_its_start_date_and_an_end_cannot_precede_it(client, make, login):
    _, participant, employer, headers = _world(make, login)
    make.consent(participant, "employers", granted=True)
    base = {
        "participant_id": str(participant.id),
        "employer_id": str(employer.id),
        "job_title": "Lagermedarbeider",
    }
    hired = client.post("/api/v1/job_matches", json={**base, "status": "hired"}, headers=headers)
    assert hired.status_code == 422 and "started_on" in hired.json["errors"]
    backwards = client.post(
        "/api/v1/job_matches",
        headers=headers,
        json={**base, "status": "ended", "started_on": "2026-10-01", "ended_on": "2026-09-01"},
    )
    assert backwards.status_code == 422 and "ended_on" in backwards.json["errors"]
    lead = client.post("/api/v1/job_matches", json=base, headers=headers)
    assert lead.status_code == 201
    assert (lead.json["status"], lead.json["competitive"]) == ("lead", True)


def test_a_plan_step_cannot_hang_under_another_participants_goal(client, make, login):
    specialist, participant, _, headers = _world(make, login)
    other = make.participant(specialist)
    goal = make.goal(other)
    response = client.post(
        "/api/v1/plan_steps",
        headers=headers,
        json={"participant_id": str(participant.id), "goal_id": str(goal.id), "title": "Ring Rema"},
    )
    assert response.status_code == 422 and "goal_id" in response.json["errors"]


def test_meetings_default_to_planned_in_the_future_and_held_in_the_past(client, make, login):
    _, participant, _, headers = _world(make, login)
    base = {
        "participant_id": str(participant.id),
        "duration_minutes": 45,
        "setting": "community",
        "kind": "job_search",
    }
    future = (utcnow() + timedelta(days=2)).isoformat()
    past = (utcnow() - timedelta(days=2)).isoformat()
    planned = client.post("/api/v1/meetings", json={**base, "starts_at": future}, headers=headers)
    held = client.post("/api/v1/meetings", json={**base, "starts_at": past}, headers=headers)
    assert (planned.json["status"], held.json["status"]) == ("planned", "held")


def test_one_live_employer_per_organisation_number_in_a_team(client, make, login):
    _, _, employer, headers = _world(make, login)
    duplicate = client.post(
        "/api/v1/employers",
        headers=headers,
        json={"name": "Samme AS", "org_number": employer.org_number},
    )
    assert duplicate.status_code == 422
    assert employer.name in duplicate.json["errors"]["org_number"]
    other_team = login(make.user("specialist"))
    elsewhere = client.post(
        "/api/v1/employers",
        headers=other_team,
        json={"name": "Samme AS", "org_number": employer.org_number},
    )
    assert elsewhere.status_code == 201, elsewhere.json
    client.delete(f"/api/v1/employers/{employer.id}", headers=headers)
    again = client.post(
        "/api/v1/employers",
        headers=headers,
        json={"name": "Samme AS", "org_number": employer.org_number},
    )
    assert again.status_code == 201


def test_a_supervisor_marks_a_real_week_reviewed_once(client, make, login):
    specialist = make.user("specialist")
    supervisor = make.user("supervisor", team=specialist.team)
    headers = login(supervisor)
    body = {
        "specialist_id": str(specialist.id),
        "iso_year": 2026,
        "iso_week": 53,
        "comment": "Bra uke",
    }
    created = client.post("/api/v1/week_reviews", json=body, headers=headers)
    assert created.status_code == 201, created.json
    assert created.json["week"] == "2026-W53"
    assert created.json["reviewed_by"] == str(supervisor.id)
    twice = client.post("/api/v1/week_reviews", json=body, headers=headers)
    assert twice.status_code == 422
    no_such_week = client.post(
        "/api/v1/week_reviews", headers=headers, json={**body, "iso_year": 2025, "iso_week": 53}
    )
    assert no_such_week.status_code == 422
    assert no_such_week.json["errors"]["iso_week"] == "2025 has no week 53."


def test_lists_filter_by_field_and_time_window(client, make, login):
    specialist, participant, employer, headers = _world(make, login)
    make.employer_contact(specialist, employer, contacted_at=utcnow() - timedelta(days=40))
    recent = make.employer_contact(specialist, employer, participant_id=participant.id)
    since = (utcnow() - timedelta(days=7)).isoformat()
    listed = client.get("/api/v1/employer_contacts", headers=headers, query_string={"from": since})
    assert [c["id"] for c in listed.json] == [str(recent.id)]
    by_participant = client.get(
        "/api/v1/employer_contacts",
        headers=headers,
        query_string={"participant_id": str(participant.id)},
    )
    assert [c["id"] for c in by_participant.json] == [str(recent.id)]
    search = client.get(
        "/api/v1/employers", headers=headers, query_string={"q": employer.name[:6].lower()}
    )
    assert [e["id"] for e in search.json] == [str(employer.id)]


def test_the_ids_the_server_makes_are_uuid7_and_sort_by_time(client, make, login):
    _, participant, _, headers = _world(make, login)
    ids = [
        client.post(
            "/api/v1/plan_steps",
            headers=headers,
            json={
                "participant_id": str(participant.id),
                "title": f"Steg {n}",
                "due_on": (date.today() + timedelta(days=n)).isoformat(),
            },
        ).json["id"]
        for n in range(3)
    ]
    assert all(uuid.UUID(i).version == 7 for i in ids)
    assert ids == sorted(ids)


def test_search_takes_percent_and_underscore_as_typed(client, make, login):
    specialist = make.user("specialist")
    make.employer(specialist, name="Bakeri 100% AS")
    make.employer(specialist, name="Bakeri 1000 AS")
    headers = login(specialist)
    found = client.get("/api/v1/employers", headers=headers, query_string={"q": "100%"}).json
    assert [e["name"] for e in found] == ["Bakeri 100% AS"]
    assert (
        client.get("/api/v1/employers", headers=headers, query_string={"q": "bakeri_"}).json == []
    )


def test_an_unknown_path_under_the_api_is_404_whatever_the_method(client, make, login):
    headers = login(make.user("specialist"))
    for method in ("get", "patch", "delete", "post"):
        response = getattr(client, method)("/api/v1/employers/not-a-uuid", headers=headers)
        assert response.status_code == 404, method
        assert response.mimetype == "application/problem+json"
