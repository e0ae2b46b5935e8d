"""A participant's rights (domain.md, privacy): a copy of their data, and erasure when they leave
with the aggregate counts kept."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, String, Text, select

from api.accounts.models import User
from api.activity.models import Meeting
from api.common.model import new_id, utcnow
from api.conflicts.models import Conflict
from api.extensions import db
from api.participants.models import Participant
from api.plans.models import PlanGoal, PlanStep
from api.push.models import PushSubscription
from api.rights.rules import write_refusal_after_erasure
from api.scheduler.models import Notification
from tests.factories import Factory, oslo
from tests.test_sync import Device, mutation

API = "/api/v1"
# What only the erased participant's records say: none of it may survive erasure.
SECRETS = {
    "first_name": "Ingeborg",
    "last_name": "Sørbøe",
    "phone": "+47 987 65 432",
    "email": "ingeborg.sorboe@example.no",
    "consent": "Samtykke gitt i kafeen",
    "preferences": "Vil jobbe i bakeri",
    "strengths": "Nøyaktig og blid",
    "education": "Fagbrev baker",
    "history": "Tre år hos Baker Hansen",
    "disclosure": "Vil fortelle om ruspause",
    "goal": "Jobb i bakeri innen jul",
    "goal_text": "Starter med praksis",
    "step": "Ringe Baker Brun mandag",
    "place": "Hjemme i Storgata 5",
    "agreed": "Skal skrive søknad til bakeriet",
    "meeting_notes": "Sov dårlig denne uka",
    "contact_purpose": "Presentere Ingeborg",
    "contact_outcome": "Ingeborg får prøve en dag",
    "contact_notes": "Sjefen kjenner familien",
    "job_notes": "Ingeborg ønsker tidligvakter",
    "conflict": "Ingeborg S.",
    "login_email": "ingeborg@example.no",
    "login_name": "Ingeborg Sørbøe",
}


def _world(make: Factory) -> dict[str, Any]:
    supervisor = make.user("supervisor")
    team = supervisor.team
    js1 = make.user("specialist", team=team)
    js2 = make.user("specialist", team=team)
    employer = make.employer(js1, name="Bakeriet AS")
    p = make.participant(
        js1,
        first_name=SECRETS["first_name"],
        last_name=SECRETS["last_name"],
        phone=SECRETS["phone"],
        email=SECRETS["email"],
        enrolled_on=date(2026, 6, 1),
    )
    consent = make.consent(p)
    consent.note = SECRETS["consent"]
    make.career_profile(
        p,
        job_preferences=SECRETS["preferences"],
        strengths=SECRETS["strengths"],
        education=SECRETS["education"],
        work_history=SECRETS["history"],
        disclosure_preference=SECRETS["disclosure"],
    )
    goal = make.goal(p, title=SECRETS["goal"], description=SECRETS["goal_text"])
    make.step(p, goal_id=goal.id, title=SECRETS["step"])
    make.meeting(
        p,
        place=SECRETS["place"],
        agreed_next_steps=SECRETS["agreed"],
        notes=SECRETS["meeting_notes"],
        setting="community",
        duration_minutes=90,
        starts_at=oslo(2026, 9, 14, 10),
    )
    make.meeting(
        p, setting="office", duration_minutes=30, kind="follow_along", starts_at=oslo(2026, 9, 15)
    )
    make.employer_contact(
        js1,
        employer,
        participant_id=p.id,
        purpose=SECRETS["contact_purpose"],
        outcome=SECRETS["contact_outcome"],
        notes=SECRETS["contact_notes"],
        contacted_at=oslo(2026, 9, 16),
    )
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 9, 17))  # general
    make.job_match(
        p,
        employer,
        status="hired",
        started_on=date(2026, 8, 3),
        job_type="bakery",
        competitive=True,
        notes=SECRETS["job_notes"],
    )
    conflict = make.conflict(js1, entity="participants", record_id=p.id, field="last_name")
    conflict.kept_value, conflict.other_value = SECRETS["conflict"], SECRETS["last_name"]
    login = make.participant_user(p)
    login.email, login.name = SECRETS["login_email"], SECRETS["login_name"]
    db.session.add(
        PushSubscription(
            user_id=login.id, endpoint="https://push.example/abc", p256dh="k" * 87, auth="a" * 22
        )
    )
    db.session.add(
        Notification(
            user_id=login.id, kind="meeting_reminder", dedupe_key="m1", not_before=utcnow()
        )
    )
    db.session.commit()
    # Another participant of the same specialist, with records of their own.
    other = make.participant(js1, first_name="Annen", last_name="Person", phone="40000000")
    make.meeting(other, notes="Annens notat")
    make.goal(other, title="Annens mål")
    make.job_match(other, employer, notes="Annens jobb")
    make.employer_contact(js1, employer, participant_id=other.id, notes="Om Annen")
    other_login = make.participant_user(other)
    admin = make.user("admin")
    js_b = make.user("specialist")
    return {
        "p": p.id,
        "other": other.id,
        "team": team.id,
        "supervisor": supervisor,
        "js1": js1,
        "js2": js2,
        "js_b": js_b,
        "admin": admin,
        "login": login,
        "other_login": other_login,
        "employer": employer.id,
    }


def export_url(participant_id: Any) -> str:
    return f"{API}/participants/{participant_id}/export"


def erase_url(participant_id: Any) -> str:
    return f"{API}/participants/{participant_id}/erase"


def _close(client: Any, headers: dict[str, str], participant_id: Any) -> None:
    response = client.patch(
        f"{API}/participants/{participant_id}",
        json={"status": "closed", "closed_on": "2026-11-01"},
        headers=headers,
    )
    assert response.status_code == 200, response.json


# --- export ------------------------------------------------------------------------------------


def test_the_export_holds_every_kind_of_record_and_nothing_of_another_participant(
    client, make, login
):
    w = _world(make)
    response = client.get(export_url(w["p"]), headers=login(w["login"]))
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="feltlogg-deltaker-{w["p"]}.json"'
    )
    doc = json.loads(response.data)
    assert doc["exported_at"] and doc["explanation"]
    assert doc["participant"]["id"] == str(w["p"])
    assert doc["participant"]["first_name"] == SECRETS["first_name"]
    assert doc["participant"]["phone"] == SECRETS["phone"]
    assert [c["note"] for c in doc["consents"]] == [SECRETS["consent"]]
    assert doc["career_profile"]["disclosure_preference"] == SECRETS["disclosure"]
    assert [g["title"] for g in doc["plan_goals"]] == [SECRETS["goal"]]
    assert [s["title"] for s in doc["plan_steps"]] == [SECRETS["step"]]
    assert {m["setting"] for m in doc["meetings"]} == {"community", "office"}
    assert SECRETS["meeting_notes"] in {m["notes"] for m in doc["meetings"]}
    # Only the contact made on their behalf, with the employer's name.
    [contact] = doc["employer_contacts"]
    assert contact["notes"] == SECRETS["contact_notes"]
    assert contact["employer_name"] == "Bakeriet AS"
    [job] = doc["job_matches"]
    assert job["employer_name"] == "Bakeriet AS" and job["notes"] == SECRETS["job_notes"]
    assert [c["kept_value"] for c in doc["conflicts"]] == [SECRETS["conflict"]]
    account = doc["account"]
    assert account["email"] == SECRETS["login_email"] and account["role"] == "participant"
    assert account["name"] == SECRETS["login_name"] and account["created_at"]
    assert len(account["push_devices"]) == 1
    # Field names as the API's own.
    record = client.get(f"{API}/plan_goals/{doc['plan_goals'][0]['id']}", headers=login(w["js1"]))
    assert set(record.json) == set(doc["plan_goals"][0])
    # Nothing of the other participant.
    text = response.get_data(as_text=True)
    for foreign in ("Annen", "Annens", str(w["other"]), "40000000"):
        assert foreign not in text


def test_who_may_export(client, make, login):
    w = _world(make)
    allowed = {"the participant": w["login"], "their specialist": w["js1"], "admin": w["admin"]}
    for who, user in allowed.items():
        response = client.get(export_url(w["p"]), headers=login(user))
        assert response.status_code == 200, (who, response.json)
    # Outsiders learn nothing: the same answer as for an id that does not exist.
    for user in (w["other_login"], w["js2"], w["js_b"]):
        headers = login(user)
        existing = client.get(export_url(w["p"]), headers=headers)
        missing = client.get(export_url(w["employer"]), headers=headers)
        assert existing.status_code == missing.status_code == 404
        assert existing.json == missing.json
    # A supervisor sees counts, not note text: refused by role, whatever the id.
    response = client.get(export_url(w["p"]), headers=login(w["supervisor"]))
    assert response.status_code == 403
    assert client.get(export_url(w["p"])).status_code == 401


# --- erasure -----------------------------------------------------------------------------------


def test_erasure_is_for_admins_and_needs_a_matching_confirmation_and_a_closed_record(
    client, make, login
):
    w = _world(make)
    admin = login(w["admin"])
    body = {"confirm": str(w["p"])}
    for user in (w["js1"], w["supervisor"], w["login"]):
        assert client.post(erase_url(w["p"]), json=body, headers=login(user)).status_code == 403
    # Still in the programme.
    response = client.post(erase_url(w["p"]), json=body, headers=admin)
    assert response.status_code == 422 and "close" in response.json["detail"]
    _close(client, login(w["js1"]), w["p"])
    for wrong in ({}, {"confirm": str(w["other"])}, {"confirm": "yes"}):
        response = client.post(erase_url(w["p"]), json=wrong, headers=admin)
        assert response.status_code == 422, (wrong, response.json)
    response = client.post(erase_url(w["employer"]), json=body, headers=admin)
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(Participant, w["p"]).first_name == SECRETS["first_name"]


def _reports(client: Any, headers: dict[str, str]) -> list[Any]:
    queries = [
        ("weekly", {"from": "2026-W23", "to": "2026-W48"}),
        ("fidelity", {"from": "2026-06-01", "to": "2026-11-30"}),
        ("outcomes", {"quarter": "2026-Q3"}),
        ("outcomes", {"quarter": "2026-Q4"}),
    ]
    reports = []
    for name, query in queries:
        response = client.get(f"{API}/reports/{name}", query_string=query, headers=headers)
        assert response.status_code == 200, response.json
        reports.append(response.json)
    return reports


def _text_in_database() -> str:
    """Every text and JSON value of every table, as one string."""
    values = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if columns:
            for row in db.session.execute(select(*columns)):
                values.extend(json.dumps(v, ensure_ascii=False) for v in row if v is not None)
    return "\n".join(values)


def test_erasure_leaves_no_trace_keeps_the_counts_and_reaches_the_devices(client, make, login):
    w = _world(make)
    # Meetings and contacts in the weeks the reports cover.
    js1_headers, supervisor = login(w["js1"]), login(w["supervisor"])
    _close(client, js1_headers, w["p"])
    device = Device(client, js1_headers)
    device.sync()
    assert device.holds("participants")[str(w["p"])]["first_name"] == SECRETS["first_name"]
    db.session.rollback()
    text = _text_in_database()
    assert all(secret in text for secret in SECRETS.values())  # the search would find them
    before = _reports(client, supervisor)
    weekly, fidelity, q3, _ = before
    [mine] = [s for s in weekly["specialists"] if s["specialist_id"] == str(w["js1"].id)]
    week = next(r for r in mine["weeks"] if r["week"] == "2026-W38")
    assert week["face_to_face_employer_contacts"] == 2 and week["participant_meetings"] == 2
    assert fidelity["items"] and q3["team"]["job_starts"] == 1

    response = client.post(
        erase_url(w["p"]), json={"confirm": str(w["p"])}, headers=login(w["admin"])
    )
    assert response.status_code == 200, response.json
    result = response.json
    assert result["erased_at"] and not result["already_erased"]
    assert result["records_changed"]["participants"] == 1
    assert result["records_changed"]["conflicts"] == 1
    assert result["push_subscriptions_deleted"] == result["notifications_deleted"] == 1

    db.session.rollback()
    text = _text_in_database()
    left = [name for name, secret in SECRETS.items() if secret in text]
    assert not left, f"still in the database after erasure: {left}"
    assert _reports(client, supervisor) == before
    # The specialist's device receives the anonymised records at its next pull.
    changes = device.sync()
    assert {c["entity"] for c in changes} >= {
        "participants",
        "consents",
        "career_profiles",
        "plan_goals",
        "plan_steps",
        "meetings",
        "employer_contacts",
        "job_matches",
        "conflicts",
    }
    person = device.holds("participants")[str(w["p"])]
    assert (person["first_name"], person["last_name"]) == ("Slettet", "deltaker")
    assert person["phone"] is None and person["email"] is None
    assert all(s["title"] == "(slettet)" for s in device.holds("plan_steps").values())
    held = json.dumps(list(device.records.values()), ensure_ascii=False)
    assert not [name for name, secret in SECRETS.items() if secret in held]
    # The other participant is untouched.
    assert device.holds("participants")[str(w["other"])]["first_name"] == "Annen"
    # The login is gone: no sign-in, and its tokens no longer work.
    response = client.post(
        f"{API}/auth/login", json={"email": SECRETS["login_email"], "password": Factory.PASSWORD}
    )
    assert response.status_code == 401
    user = db.session.get(User, w["login"].id)
    assert not user.is_active and user.email == f"erased-{user.id}@invalid"
    response = client.post(
        f"{API}/auth/login", json={"email": user.email, "password": Factory.PASSWORD}
    )
    assert response.status_code == 401
    assert (
        db.session.scalar(select(PushSubscription.id).where(PushSubscription.user_id == user.id))
        is None
    )


def test_erasing_twice_is_harmless_and_writes_nothing(client, make, login):
    w = _world(make)
    _close(client, login(w["js1"]), w["p"])
    admin = login(w["admin"])
    body = {"confirm": str(w["p"])}
    assert client.post(erase_url(w["p"]), json=body, headers=admin).status_code == 200
    db.session.rollback()
    version = db.session.get(Participant, w["p"]).version
    device = Device(client, login(w["js1"]))
    device.sync()
    again = client.post(erase_url(w["p"]), json=body, headers=admin)
    assert again.status_code == 200, again.json
    assert again.json["already_erased"] and again.json["erased_at"] is None
    assert not any(again.json["records_changed"].values())
    db.session.rollback()
    assert db.session.get(Participant, w["p"]).version == version
    assert device.sync() == []
    # The export still works, and shows what is left.
    doc = client.get(export_url(w["p"]), headers=admin).json
    assert doc["participant"]["first_name"] == "Slettet"
    assert doc["participant"]["enrolled_on"] == "2026-06-01"
    assert doc["account"]["is_active"] is False


def test_a_participant_who_closed_on_a_date_can_be_erased_even_if_their_record_was_deleted(
    client, make, login
):
    specialist = make.user("specialist")
    p = make.participant(
        specialist, first_name="Borte", closed_on=date(2026, 10, 1), status="closed"
    )
    make.meeting(p, notes="Borte sitt møte", starts_at=utcnow() - timedelta(days=60))
    assert client.delete(f"{API}/participants/{p.id}", headers=login(specialist)).status_code == 204
    admin = login(make.user("admin"))
    response = client.post(erase_url(p.id), json={"confirm": str(p.id)}, headers=admin)
    assert response.status_code == 200, response.json
    db.session.rollback()
    assert "Borte" not in _text_in_database()


# --- after erasure: nothing written back -------------------------------------------------------


def test_the_refusal_after_erasure_names_the_day_it_happened_in_local_time():
    assert write_refusal_after_erasure(None) is None
    late_sunday_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday in Oslo
    assert write_refusal_after_erasure(late_sunday_utc) == (
        "This participant's data was erased on 2026-11-23; the change was not saved."
    )


def _erase(client: Any, login: Any, w: dict[str, Any]) -> str:
    """Close and erase the participant; the refusal that later writes get."""
    _close(client, login(w["js1"]), w["p"])
    response = client.post(
        erase_url(w["p"]), json={"confirm": str(w["p"])}, headers=login(w["admin"])
    )
    assert response.status_code == 200, response.json
    db.session.rollback()
    erased_at = db.session.get(Participant, w["p"]).erased_at
    assert erased_at is not None
    assert response.json["erased_at"] == erased_at.isoformat()
    refusal = write_refusal_after_erasure(erased_at)
    assert refusal is not None
    return refusal


def _records_of(model: Any, participant_id: Any) -> list[Any]:
    db.session.rollback()
    return list(db.session.scalars(select(model).where(model.participant_id == participant_id)))


def test_after_erasure_no_rest_write_to_the_participant_or_their_records_is_saved(
    client, make, login
):
    w = _world(make)
    refusal = _erase(client, login, w)
    js1, admin = login(w["js1"]), login(w["admin"])
    person = client.get(f"{API}/participants/{w['p']}", headers=js1).json
    assert person["erased_at"] and person["first_name"] == "Slettet"
    version = person["version"]
    meeting = _records_of(Meeting, w["p"])[0]
    goal = _records_of(PlanGoal, w["p"])[0]
    new_meeting = {
        "participant_id": str(w["p"]),
        "starts_at": "2026-11-24T10:00:00+01:00",
        "duration_minutes": 30,
        "setting": "community",
        "kind": "follow_along",
        "notes": SECRETS["meeting_notes"],
    }
    writes = [
        ("PATCH", f"{API}/participants/{w['p']}", {"first_name": SECRETS["first_name"]}, js1),
        ("PATCH", f"{API}/meetings/{meeting.id}", {"notes": SECRETS["meeting_notes"]}, js1),
        ("DELETE", f"{API}/plan_goals/{goal.id}", None, js1),
        ("DELETE", f"{API}/participants/{w['p']}", None, js1),
        ("POST", f"{API}/meetings", new_meeting, js1),
        ("POST", f"{API}/plan_steps", {"participant_id": str(w["p"]), "title": "Ny"}, js1),
        (
            "POST",
            f"{API}/participants/{w['p']}/transfer",
            {"specialist_id": str(w["js2"].id)},
            admin,
        ),
    ]
    for method, url, body, headers in writes:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 409, (method, url, response.json)
        assert response.mimetype == "application/problem+json"
        assert response.json["detail"] == refusal
    # The login cannot be given back its name or a new password either.
    login_id = w["login"].id
    response = client.patch(
        f"{API}/users/{login_id}", json={"name": SECRETS["login_name"]}, headers=admin
    )
    assert response.status_code == 422
    assert response.json["errors"]["participant_id"] == refusal

    db.session.rollback()
    assert db.session.get(Participant, w["p"]).version == version
    assert len(_records_of(Meeting, w["p"])) == 2
    assert not [name for name, secret in SECRETS.items() if secret in _text_in_database()]
    # Nothing else is held up: the other participant's records are written as ever.
    response = client.post(
        f"{API}/meetings", json={**new_meeting, "participant_id": str(w["other"])}, headers=js1
    )
    assert response.status_code == 201, response.json


def test_a_phone_offline_at_the_erasure_writes_nothing_of_the_old_text_back(client, make, login):
    """The realistic case: the specialist's phone held the participant's records and queued
    edits and a new meeting while offline; the erasure happened meanwhile; then it pushes."""
    w = _world(make)
    js1 = login(w["js1"])
    _close(client, js1, w["p"])
    phone = Device(client, js1)
    phone.sync()
    meetings = _records_of(Meeting, w["p"])
    community = next(m for m in meetings if m.setting == "community")
    [step] = _records_of(PlanStep, w["p"])
    [goal] = _records_of(PlanGoal, w["p"])
    held = {(e, i): data["version"] for (e, i), data in phone.records.items()}

    def edit(entity: str, record_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        return mutation(entity, record_id, data, base_version=held[(entity, str(record_id))])

    def new_meeting(participant_id: Any, notes: str) -> dict[str, Any]:
        data = {
            "participant_id": str(participant_id),
            "starts_at": "2026-11-24T10:00:00+01:00",
            "duration_minutes": 45,
            "setting": "community",
            "kind": "follow_along",
            "notes": notes,
        }
        return mutation("meetings", new_id(), data)

    other_phone = "+47 411 11 111"
    outbox = [
        edit("meetings", community.id, {"notes": SECRETS["meeting_notes"] + " (forts.)"}),
        edit("participants", w["p"], {"phone": SECRETS["phone"]}),
        new_meeting(w["p"], f"Ny prat med {SECRETS['first_name']}"),  # one run of creations:
        new_meeting(w["other"], "Annens nye møte"),  # applied together where they can be
        edit("plan_steps", step.id, {"done_at": "2026-11-23T09:00:00+01:00"}),
        mutation("plan_goals", goal.id, op="delete"),
        edit("participants", w["other"], {"phone": other_phone}),
    ]

    refusal = _erase(client, login, w)
    results = phone.push(*outbox)

    statuses = [r["status"] for r in results]
    assert statuses == [
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "rejected",
        "rejected",
        "applied",
    ], results
    for result in results:
        if result["status"] == "rejected":
            assert result["detail"] == refusal
            assert "retry" not in result  # the app drops it: sending it again would not help
    db.session.rollback()
    text = _text_in_database()
    assert not [name for name, secret in SECRETS.items() if secret in text]
    assert "Annens nye møte" in text
    assert db.session.get(Participant, w["other"]).phone == other_phone
    assert len(_records_of(Meeting, w["p"])) == len(meetings)
    assert all(s.done_at is None for s in _records_of(PlanStep, w["p"]))
    assert all(g.deleted_at is None for g in _records_of(PlanGoal, w["p"]))
    # No conflict keeps the old text either, and the phone gets the erased versions.
    phone.sync()
    person = phone.holds("participants")[str(w["p"])]
    assert person["first_name"] == "Slettet" and person["erased_at"]
    kept = json.dumps(list(phone.records.values()), ensure_ascii=False)
    assert not [name for name, secret in SECRETS.items() if secret in kept]
    # Sent again, the outbox is refused again, and what was applied is not applied twice.
    again = phone.push(*outbox)
    assert [r["status"] for r in again] == [
        "duplicate" if status == "applied" else status for status in statuses
    ]


def test_a_conflict_that_would_keep_the_old_text_is_refused_too(client, make, login):
    """A field the server keeps (set wins: a step ticked off stays ticked off) would leave
    the phone's value in a conflict record: after erasure that is a write like any other."""
    w = _world(make)
    js1 = login(w["js1"])
    [step] = _records_of(PlanStep, w["p"])
    phone = Device(client, js1)
    phone.sync()
    base = phone.holds("plan_steps")[str(step.id)]["version"]
    ticked = client.patch(
        f"{API}/plan_steps/{step.id}", json={"done_at": "2026-11-20T10:00:00+01:00"}, headers=js1
    )
    assert ticked.status_code == 200
    refusal = _erase(client, login, w)
    [result] = phone.push(mutation("plan_steps", step.id, {"done_at": None}, base_version=base))
    assert (result["status"], result["detail"]) == ("rejected", refusal)
    db.session.rollback()
    assert not db.session.scalars(select(Conflict).where(Conflict.record_id == step.id)).all()
