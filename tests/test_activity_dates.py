"""When it happened: work is logged late, but within a bound, and never in the future.

A contact or meeting may have happened at most ACTIVITY_MAX_DAYS_BACK days before it was logged
(`logged_at`, the phone's clock, or when the server got it); a contact not after now. The same
rule holds over REST and sync push, and the app reads the bound from /api/v1/settings.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.activity.models import EmployerContact
from api.extensions import db

CONTACTS = "/api/v1/employer_contacts"


@pytest.fixture(autouse=True)
def fourteen_days(app, monkeypatch):
    monkeypatch.setitem(app.config, "ACTIVITY_MAX_DAYS_BACK", 14)


def _at(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


@pytest.fixture
def world(make, login):
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    return {
        "employer": make.employer(specialist),
        "participant": participant,
        "headers": login(specialist),
    }


def _contact(world: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"employer_id": str(world["employer"].id), "mode": "in_person", **fields}


def test_a_contact_logged_days_later_is_kept_with_both_times(client, world):
    response = client.post(
        CONTACTS,
        json=_contact(world, contacted_at=_at(-timedelta(days=3))),
        headers=world["headers"],
    )
    assert response.status_code == 201, response.json
    stored = db.session.get(EmployerContact, uuid.UUID(response.json["id"]))
    assert abs(stored.logged_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert stored.logged_at - stored.contacted_at > timedelta(days=2)
    assert response.json["logged_at"]


@pytest.mark.parametrize(
    ("happened", "logged", "field", "accepted"),
    [
        (timedelta(days=-13), None, None, True),
        (timedelta(days=-15), None, "contacted_at", False),
        (timedelta(minutes=2), None, None, True),  # a phone's clock a little ahead
        (timedelta(hours=1), None, "contacted_at", False),
        # Logged on the phone 10 days ago, synced today: the bound follows when it was logged.
        (timedelta(days=-20), timedelta(days=-10), None, True),
        (timedelta(days=-30), timedelta(days=-10), "contacted_at", False),
        (timedelta(days=-1), timedelta(days=1), "logged_at", False),
    ],
)
def test_when_a_contact_happened_is_bounded(client, world, happened, logged, field, accepted):
    body = _contact(world, contacted_at=_at(happened))
    if logged is not None:
        body["logged_at"] = _at(logged)
    response = client.post(CONTACTS, json=body, headers=world["headers"])
    if accepted:
        assert response.status_code == 201, response.json
    else:
        assert response.status_code == 422, response.json
        assert set(response.json["errors"]) == {field}
        assert db.session.query(EmployerContact).count() == 0


def test_a_meeting_may_be_planned_ahead_but_not_logged_too_late(client, world):
    def meeting(delta: timedelta) -> Any:
        body = {
            "participant_id": str(world["participant"].id),
            "starts_at": _at(delta),
            "duration_minutes": 45,
            "setting": "community",
            "kind": "job_search",
        }
        return client.post("/api/v1/meetings", json=body, headers=world["headers"])

    assert meeting(timedelta(days=30)).status_code == 201
    assert meeting(timedelta(days=-2)).status_code == 201
    late = meeting(timedelta(days=-20))
    assert late.status_code == 422 and set(late.json["errors"]) == {"starts_at"}


def test_an_edit_of_when_keeps_to_the_same_bound_and_when_it_was_logged_cannot_change(
    client, world
):
    created = client.post(
        CONTACTS,
        json=_contact(world, contacted_at=_at(-timedelta(days=1))),
        headers=world["headers"],
    ).json
    url = f"{CONTACTS}/{created['id']}"
    ok = client.patch(url, json={"contacted_at": _at(-timedelta(days=5))}, headers=world["headers"])
    assert ok.status_code == 200, ok.json
    for change, field in (
        ({"contacted_at": _at(-timedelta(days=20))}, "contacted_at"),
        ({"contacted_at": _at(timedelta(days=1))}, "contacted_at"),
        ({"logged_at": _at(-timedelta(days=10))}, "logged_at"),
    ):
        refused = client.patch(url, json=change, headers=world["headers"])
        assert refused.status_code == 422 and set(refused.json["errors"]) == {field}, change
    # An edit of something else does not re-judge an old record's time.
    assert (
        client.patch(url, json={"purpose": "Oppfølging"}, headers=world["headers"]).status_code
        == 200
    )


def test_a_pushed_contact_is_held_to_the_same_rule(client, world):
    def push(contacted: timedelta) -> dict[str, Any]:
        mutation = {
            "mutation_id": str(uuid.uuid4()),
            "entity": "employer_contacts",
            "op": "upsert",
            "id": str(uuid.uuid4()),
            "base_version": None,
            "data": _contact(world, contacted_at=_at(contacted)),
        }
        body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [mutation]}
        response = client.post("/api/v1/sync/push", json=body, headers=world["headers"])
        assert response.status_code == 200, response.json
        return response.json["results"][0]

    assert push(-timedelta(days=3))["status"] == "applied"
    refused = push(-timedelta(days=40))
    assert refused["status"] == "rejected" and refused["code"] == "invalid"
    assert set(refused["errors"]) == {"contacted_at"}


def test_the_app_reads_the_bound_from_the_settings(client, world):
    response = client.get("/api/v1/settings", headers=world["headers"])
    assert response.status_code == 200
    assert response.json == {"activity_max_days_back": 14, "timezone": "Europe/Oslo"}
