"""Offline sync through the HTTP API: push an outbox, pull changes, as the field app does.

Each test plays one or more devices (a phone, a tablet) against the real endpoints; see
docs/sync.md for the protocol these tests hold the server to.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from api.activity.models import EmployerContact, Meeting
from api.common.model import new_id, utcnow
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.extensions import db
from api.offline.setup import SCHEMA_VERSION
from api.participants.models import Participant
from api.plans.models import PlanGoal, PlanStep
from tests.factories import valid_org_number

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


def mutation(
    entity: str,
    record_id: Any,
    data: dict[str, Any] | None = None,
    *,
    op: str = "upsert",
    base_version: int | None = None,
) -> dict[str, Any]:
    return {
        "mutation_id": str(uuid.uuid4()),
        "entity": entity,
        "op": op,
        "id": str(record_id),
        "base_version": base_version,
        "data": data or {},
    }


class Device:
    """One installation of the field app: a client id, a cursor and the records it holds."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        self.client_id = str(uuid.uuid4())
        self.cursor: str | None = None
        self.records: dict[tuple[str, str], dict[str, Any]] = {}

    def push_body(self, mutations: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "schema_version": SCHEMA_VERSION,
            "mutations": mutations,
        }

    def push(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.client.post(
            PUSH, json=self.push_body(list(mutations)), headers=self.headers
        )
        assert response.status_code == 200, response.json
        results = response.json["results"]
        assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in mutations]
        return results

    def pull_page(self, limit: int = 500) -> dict[str, Any]:
        query: dict[str, Any] = {"limit": limit}
        if self.cursor:
            query["cursor"] = self.cursor
        response = self.client.get(PULL, query_string=query, headers=self.headers)
        assert response.status_code == 200, response.json
        page = response.json
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            if change["op"] == "upsert":
                self.records[key] = change["data"]
            else:
                self.records.pop(key, None)
        self.cursor = page["cursor"]
        return page

    def pages(self, limit: int = 500) -> list[dict[str, Any]]:
        """Pull until nothing more is waiting; every page, in the order received."""
        pages: list[dict[str, Any]] = []
        for _ in range(1000):
            pages.append(self.pull_page(limit))
            if not pages[-1]["has_more"]:
                return pages
        raise AssertionError("pull never ended")

    def sync(self, limit: int = 500) -> list[dict[str, Any]]:
        """Pull until nothing more is waiting; every change, in the order received."""
        return [change for page in self.pages(limit) for change in page["changes"]]

    def sync_and_hold(self) -> dict[tuple[str, str], dict[str, Any]]:
        """A full sync from nothing: what a new device holds."""
        self.sync()
        return self.records

    def holds(self, entity: str) -> dict[str, dict[str, Any]]:
        return {rid: data for (name, rid), data in self.records.items() if name == entity}


def ids(changes: list[dict[str, Any]], entity: str | None = None, op: str = "upsert") -> set[str]:
    return {c["id"] for c in changes if c["op"] == op and (entity is None or c["entity"] == entity)}


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(model: Any, record_id: Any) -> Any:
    db.session.rollback()  # end any snapshot the test's session holds: read what is committed
    return db.session.get(model, record_id)


def contact_data(employer: Any, **extra: Any) -> dict[str, Any]:
    return {
        "employer_id": str(employer.id),
        "contacted_at": "2026-11-20T10:00:00+01:00",
        "mode": "in_person",
        **extra,
    }


def _specialist_world(make: Any, login: Any) -> tuple[Any, Any, Any, dict[str, str]]:
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    employer = make.employer(specialist)
    return specialist, participant, employer, login(specialist)


# --- push: new records, retries, refusals ---------------------------------------------------


def test_a_record_created_offline_is_applied_at_version_1_and_reaches_another_device(
    client, make, login
):
    specialist, _, employer, headers = _specialist_world(make, login)
    supervisor = make.user("supervisor", team=specialist.team)
    phone, tablet = Device(client, headers), Device(client, headers)
    boss = Device(client, login(supervisor))
    tablet.sync()
    boss.sync()

    contact_id = new_id()
    data = contact_data(employer, purpose="Presentere kandidat", notes="Ring igjen fredag")
    [result] = phone.push(mutation("employer_contacts", contact_id, data))
    assert result["status"] == "applied" and result["version"] == 1

    changes = tablet.sync()
    assert [(c["entity"], c["id"], c["op"], c["version"]) for c in changes] == [
        ("employer_contacts", str(contact_id), "upsert", 1)
    ]
    arrived = changes[0]["data"]
    assert arrived["specialist_id"] == str(specialist.id)  # defaults to the pushing user
    assert arrived["purpose"] == "Presentere kandidat"
    assert datetime.fromisoformat(arrived["contacted_at"]) == datetime.fromisoformat(
        "2026-11-20T10:00:00+01:00"
    )
    # The supervisor's device gets it too, without the note text.
    [seen] = boss.sync()
    assert seen["id"] == str(contact_id) and "notes" not in seen["data"]


def test_a_replayed_batch_returns_the_first_results_as_duplicates_and_writes_nothing(
    client, make, login
):
    _, participant, employer, headers = _specialist_world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    batch = [
        mutation("employer_contacts", new_id(), contact_data(employer)),
        mutation("participants", participant.id, {"phone": "40000000"}, base_version=1),
    ]
    first = phone.push(*batch)
    assert [(r["status"], r["version"]) for r in first] == [("applied", 1), ("applied", 2)]
    tablet.sync()
    contacts_before = count(EmployerContact)

    # The response was lost; the phone sends the same outbox again.
    replay = phone.push(*batch)
    assert [r["status"] for r in replay] == ["duplicate", "duplicate"]
    assert [r["original_status"] for r in replay] == ["applied", "applied"]
    assert [r["version"] for r in replay] == [1, 2]
    assert count(EmployerContact) == contacts_before == 1
    assert fresh(Participant, participant.id).version == 2
    assert tablet.sync() == []  # nothing re-entered the feed

    # A retry of one mutation inside a new batch is recognised too.
    again = phone.push(batch[1], mutation("employer_contacts", new_id(), contact_data(employer)))
    assert [r["status"] for r in again] == ["duplicate", "applied"]
    assert fresh(Participant, participant.id).version == 2


def test_a_rejected_mutation_says_why_and_does_not_stop_the_others(client, make, login):
    _, participant, employer, headers = _specialist_world(make, login)
    stranger = make.participant(make.user("specialist"))  # another team's participant
    phone, tablet = Device(client, headers), Device(client, headers)
    tablet.sync()
    first_ok, second_ok = new_id(), new_id()
    results = phone.push(
        mutation("employer_contacts", first_ok, contact_data(employer)),
        mutation("employer_contacts", new_id(), contact_data(employer, mode="carrier_pigeon")),
        mutation(
            "meetings",
            new_id(),
            {
                "participant_id": str(stranger.id),
                "starts_at": "2026-11-20T09:00:00+01:00",
                "duration_minutes": 45,
                "setting": "community",
                "kind": "job_search",
            },
        ),
        mutation("horoscopes", new_id(), {"sign": "libra"}),
        mutation("employers", new_id(), op="delete"),
        mutation("participants", participant.id, {"last_name": "Berg"}, base_version=1),
        mutation("employer_contacts", second_ok, contact_data(employer)),
    )
    statuses = [r["status"] for r in results]
    assert statuses == [
        "applied",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "applied",
        "applied",
    ]
    invalid, other_team, unknown, missing = results[1:5]
    for refused in (invalid, other_team, unknown, missing):
        assert isinstance(refused["detail"], str) and len(refused["detail"].split()) >= 4
        assert "version" not in refused
    assert "mode" in invalid["errors"]
    assert "Must be one of" in str(invalid["errors"]["mode"])
    assert set(other_team["errors"]) == {"participant_id"}
    assert "participant" in other_team["errors"]["participant_id"]
    assert "horoscopes" in unknown["detail"]
    assert "no such record" in missing["detail"].lower()

    db.session.rollback()
    stored = set(db.session.scalars(select(EmployerContact.id)))
    assert stored == {first_ok, second_ok}
    arrived = tablet.sync()  # what was applied before and after the refusals is in the feed
    assert ids(arrived) == {str(first_ok), str(participant.id), str(second_ok)}
    assert db.session.get(Participant, participant.id).last_name == "Berg"
    assert count(Conflict) == 0
    assert count(Meeting) == 0  # the refused meeting left nothing behind


def test_a_run_of_new_records_with_one_breaking_a_rule_applies_the_others_and_they_arrive(
    client, make, login
):
    specialist = make.user("specialist")
    headers = login(specialist)
    phone, tablet = Device(client, headers), Device(client, headers)
    tablet.sync()
    first, twin, third = new_id(), new_id(), new_id()
    org_number, other_org_number = valid_org_number(31337), valid_org_number(4242)
    results = phone.push(
        mutation("employers", first, {"name": "Første AS", "org_number": org_number}),
        mutation("employers", twin, {"name": "Tvilling AS", "org_number": org_number}),
        mutation("employers", third, {"name": "Tredje AS", "org_number": other_org_number}),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert "Første AS" in results[1]["errors"]["org_number"]  # says which one it clashes with
    assert [(c["id"], c["op"]) for c in tablet.sync()] == [
        (str(first), "upsert"),
        (str(third), "upsert"),
    ]


def test_new_contacts_and_meetings_logged_in_turn_are_written_one_batch_per_entity(
    client, make, login, monkeypatch
):
    """An outbox alternates contacts and meetings, in the order they were logged. The new
    records of each are written together, the answers come back in the outbox's order, and a
    refused one or an edit of a record created earlier in the batch still has its own answer."""
    from api.offline.setup import registry

    _, participant, employer, headers = _specialist_world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    tablet.sync()
    batches: list[tuple[str, int]] = []
    create_many = registry.writer.create_many

    def counted(actor: Any, entity: str, items: list[dict[str, Any]]) -> Any:
        batches.append((entity, len(items)))
        return create_many(actor, entity, items)

    monkeypatch.setattr(registry.writer, "create_many", counted)

    def meeting(**extra: Any) -> dict[str, Any]:
        return {
            "participant_id": str(participant.id),
            "starts_at": "2026-11-20T09:00:00+01:00",
            "duration_minutes": 45,
            "setting": "community",
            "kind": "job_search",
            **extra,
        }

    contacts, meetings = [new_id() for _ in range(4)], [new_id() for _ in range(4)]
    mutations = []
    for contact_id, meeting_id in zip(contacts, meetings, strict=True):
        mutations.append(mutation("employer_contacts", contact_id, contact_data(employer)))
        mutations.append(mutation("meetings", meeting_id, meeting()))
    mutations[3]["data"]["setting"] = "on_the_moon"  # the second meeting is refused
    mutations.append(mutation("employer_contacts", contacts[0], {"notes": "Ringte tilbake"}))
    results = phone.push(*mutations)

    assert [r["status"] for r in results] == ["applied"] * 3 + ["rejected"] + ["applied"] * 5
    assert "setting" in results[3]["errors"]
    assert results[8]["version"] == 2  # the edit came after its contact was created
    assert batches == [("employer_contacts", 4), ("meetings", 3)]
    db.session.rollback()
    assert set(db.session.scalars(select(EmployerContact.id))) == set(contacts)
    assert set(db.session.scalars(select(Meeting.id))) == set(meetings) - {meetings[1]}
    arrived = tablet.sync()
    assert ids(arrived, "employer_contacts") == {str(i) for i in contacts}
    assert ids(arrived, "meetings") == {str(i) for i in meetings} - {str(meetings[1])}


def test_the_same_mutation_twice_in_one_batch_is_applied_once(client, make, login):
    _, participant, employer, headers = _specialist_world(make, login)
    phone = Device(client, headers)
    create = mutation("employer_contacts", new_id(), contact_data(employer))
    edit = mutation("participants", participant.id, {"phone": "40000000"}, base_version=1)
    results = phone.push(create, create, edit, edit)
    assert [r["status"] for r in results] == ["applied", "duplicate", "applied", "duplicate"]
    assert count(EmployerContact) == 1
    assert fresh(Participant, participant.id).version == 2


def test_edits_of_many_records_are_written_together_and_answered_in_order(
    client, make, login, monkeypatch
):
    """A run of edits of one entity's records is locked, merged and written together: each
    edit still gets its own answer (applied, merged with a conflict, or refused), in order, and
    another device receives them."""
    from api.offline.setup import registry

    _, participant, _, headers = _specialist_world(make, login)
    steps = [make.step(participant, title=f"Steg {n}", owner="specialist") for n in range(5)]
    phone, tablet = Device(client, headers), Device(client, headers)
    phone.sync()
    tablet.sync()
    [moved] = tablet.push(
        mutation("plan_steps", steps[3].id, {"title": "Fra nettbrettet"}, base_version=1)
    )
    assert moved["status"] == "applied"
    batches: list[tuple[str, int]] = []
    update_many = registry.writer.update_many

    def counted(actor: Any, entity: str, items: list[Any]) -> Any:
        batches.append((entity, len(items)))
        return update_many(actor, entity, items)

    monkeypatch.setattr(registry.writer, "update_many", counted)

    sent = [
        mutation("plan_steps", steps[0].id, {"title": "Ringe Rema"}, base_version=1),
        mutation("plan_steps", steps[1].id, {"title": "Skrive søknad"}, base_version=1),
        mutation("plan_steps", steps[2].id, {"title": "For tidlig"}, base_version=7),
        mutation("plan_steps", steps[3].id, {"title": "Fra telefonen"}, base_version=1),
        mutation("plan_steps", steps[4].id, {"title": 12}, base_version=1),
        mutation("participants", participant.id, {"phone": "40000003"}, base_version=1),
    ]
    results = phone.push(*sent)

    assert [r["status"] for r in results] == [
        "applied",
        "applied",
        "rejected",
        "merged",
        "rejected",
        "applied",
    ]
    assert [r.get("version") for r in results] == [2, 2, None, 3, None, 2]
    assert results[2]["code"] == "base_version_ahead"
    assert results[3]["conflicts"] == ["title"]
    assert "title" in results[4]["errors"]
    assert batches == [("plan_steps", 3)]  # the refused two were never written
    assert [fresh(PlanStep, step.id).title for step in steps] == [
        "Ringe Rema",
        "Skrive søknad",
        "Steg 2",
        "Fra telefonen",
        "Steg 4",
    ]
    assert count(Conflict) == 1
    # Applied exactly once: the same batch again answers from the first results.
    again = phone.push(*sent)
    assert [r["status"] for r in again] == [
        "duplicate",
        "duplicate",
        "rejected",
        "duplicate",
        "rejected",
        "duplicate",
    ]
    assert fresh(PlanStep, steps[0].id).version == 2
    arrived = tablet.sync()
    assert ids(arrived, "plan_steps") >= {str(steps[0].id), str(steps[1].id), str(steps[3].id)}
    assert tablet.holds("plan_steps")[str(steps[3].id)]["title"] == "Fra telefonen"


def test_a_run_of_edits_with_one_the_application_refuses_applies_the_others(client, make, login):
    """A participant ticks off three steps and renames one (which they may not): the run goes
    one by one, the rename alone is refused, and nothing of it is written."""
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    steps = [make.step(participant, title=f"Steg {n}") for n in range(4)]
    own_phone = Device(client, login(make.participant_user(participant)))
    done = "2026-11-21T18:00:00+01:00"
    results = own_phone.push(
        mutation("plan_steps", steps[0].id, {"done_at": done}, base_version=1),
        mutation("plan_steps", steps[1].id, {"done_at": done, "title": "Ny"}, base_version=1),
        mutation("plan_steps", steps[2].id, {"done_at": done}, base_version=1),
        mutation("plan_steps", steps[3].id, {"done_at": done}, base_version=1),
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "applied"]
    assert results[1]["code"] == "field_not_writable"
    stored = [fresh(PlanStep, step.id) for step in steps]
    assert [s.done_at is not None for s in stored] == [True, False, True, True]
    assert stored[1].title == "Steg 1" and stored[1].version == 1


def test_a_supervisor_moving_several_participants_at_once_takes_them_off_the_old_phone(
    client, make, login
):
    """Edits written together still tell devices who may now see what: participants moved to a
    colleague in one push leave the old specialist's phone with their records."""
    specialist = make.user("specialist")
    colleague = make.user("specialist", team=specialist.team)
    supervisor = make.user("supervisor", team=specialist.team)
    moving = [make.participant(specialist) for _ in range(3)]
    staying = make.participant(specialist)
    meeting = make.meeting(moving[0])
    old_phone = Device(client, login(specialist))
    old_phone.sync()
    assert str(meeting.id) in old_phone.holds("meetings")
    results = Device(client, login(supervisor)).push(
        *[
            mutation("participants", p.id, {"specialist_id": str(colleague.id)}, base_version=1)
            for p in moving
        ]
    )
    assert [r["status"] for r in results] == ["applied"] * 3
    old_phone.sync()
    assert set(old_phone.holds("participants")) == {str(staying.id)}
    assert str(meeting.id) not in old_phone.holds("meetings")
    new_phone = Device(client, login(colleague))
    new_phone.sync()
    assert set(new_phone.holds("participants")) == {str(p.id) for p in moving}


def test_a_push_answer_carries_each_record_it_wrote_as_a_pull_sends_it(client, make, login):
    """The app stores the server's copy from the answer, so the pull that brings its own records
    back finds them held as they are. Refusals and deletions carry no record."""
    _, participant, employer, headers = _specialist_world(make, login)
    meeting = make.meeting(participant)
    phone = Device(client, headers)
    phone.sync()
    contact_id = new_id()
    sent = [
        mutation("employer_contacts", contact_id, contact_data(employer)),
        mutation("participants", participant.id, {"phone": "40000004"}, base_version=1),
        mutation("employer_contacts", new_id(), contact_data(employer, mode="telepathy")),
        mutation("meetings", meeting.id, op="delete"),
    ]
    created, edited, refused, deleted = phone.push(*sent)
    assert [created["status"], edited["status"], refused["status"], deleted["status"]] == [
        "applied",
        "applied",
        "rejected",
        "applied",
    ]
    assert "data" not in refused and "data" not in deleted
    pulled = {(c["entity"], c["id"]): c for c in phone.sync()}
    for result, key in (
        (created, ("employer_contacts", str(contact_id))),
        (edited, ("participants", str(participant.id))),
    ):
        assert pulled[key]["version"] == result["version"]
        assert result["data"] == pulled[key]["data"]
    assert created["data"]["team_id"] == str(participant.team_id)
    assert edited["data"]["phone"] == "40000004"
    # A replay answers from the first results, with the records as they now are.
    again = phone.push(*sent[:2])
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert again[0]["data"] == created["data"]


def test_a_participant_user_may_tick_off_a_step_but_not_rename_it(client, make, login):
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    step = make.step(participant)
    own_phone = Device(client, login(make.participant_user(participant)))
    done = "2026-11-21T18:00:00+01:00"
    renamed, ticked = own_phone.push(
        mutation("plan_steps", step.id, {"title": "Noe annet"}, base_version=1),
        mutation("plan_steps", step.id, {"done_at": done}, base_version=1),
    )
    assert renamed["status"] == "rejected" and "title" in renamed["errors"]
    assert "may not change" in renamed["detail"]
    assert ticked["status"] == "applied" and ticked["version"] == 2
    stored = fresh(PlanStep, step.id)
    assert stored.title == "Oppdatere CV"
    assert stored.done_at == datetime.fromisoformat(done)


# --- concurrent edits: merge field by field --------------------------------------------------


def test_two_devices_editing_different_fields_of_a_participant_both_apply_and_lose_nothing(
    client, make, login
):
    _, participant, _, headers = _specialist_world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    phone.sync()
    tablet.sync()
    [on_phone] = phone.push(
        mutation("participants", participant.id, {"phone": "40000001"}, base_version=1)
    )
    [on_tablet] = tablet.push(
        mutation("participants", participant.id, {"email": "kari@example.no"}, base_version=1)
    )
    assert (on_phone["status"], on_phone["version"]) == ("applied", 2)
    assert (on_tablet["status"], on_tablet["version"]) == ("applied", 3)
    assert "conflicts" not in on_tablet

    stored = fresh(Participant, participant.id)
    assert (stored.phone, stored.email) == ("40000001", "kari@example.no")
    assert count(Conflict) == 0
    for device in (phone, tablet):
        device.sync()
        data = device.holds("participants")[str(participant.id)]
        assert (data["phone"], data["email"], data["version"]) == (
            "40000001",
            "kari@example.no",
            3,
        )
    assert client.get("/api/v1/conflicts", headers=headers).json == []


def test_two_devices_editing_the_same_field_keep_the_later_value_and_the_other_in_a_conflict(
    client, make, login
):
    specialist, participant, _, headers = _specialist_world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    phone.sync()
    tablet.sync()
    [first] = phone.push(
        mutation("participants", participant.id, {"phone": "40000001"}, base_version=1)
    )
    [second] = tablet.push(
        mutation(
            "participants",
            participant.id,
            {"phone": "40000002", "last_name": "Olsen"},
            base_version=1,
        )
    )
    assert first["status"] == "applied"
    assert second["status"] == "merged" and second["conflicts"] == ["phone"]
    assert second["version"] == 3

    stored = fresh(Participant, participant.id)
    assert (stored.phone, stored.last_name) == ("40000002", "Olsen")  # the later arrival
    listed = client.get("/api/v1/conflicts", headers=headers).json
    assert len(listed) == 1
    conflict = listed[0]
    assert conflict["entity"] == "participants" and conflict["record_id"] == str(participant.id)
    assert conflict["field"] == "phone"
    assert (conflict["kept_value"], conflict["other_value"]) == ("40000002", "40000001")
    assert conflict["resolved_at"] is None

    # The conflict reaches the phone whose value lost, with the record as it now is.
    changes = phone.sync()
    assert ids(changes, "conflicts") == {conflict["id"]}
    assert phone.holds("participants")[str(participant.id)]["phone"] == "40000002"
    assert phone.holds("conflicts")[conflict["id"]]["other_value"] == "40000001"

    resolved = client.patch(
        f"/api/v1/conflicts/{conflict['id']}",
        json={"resolved_at": utcnow().isoformat()},
        headers=headers,
    )
    assert resolved.status_code == 200, resolved.json
    assert resolved.json["resolved_at"] is not None
    assert resolved.json["resolved_by"] == str(specialist.id)
    [update] = tablet.sync()[-1:]
    assert update["entity"] == "conflicts" and update["data"]["resolved_at"] is not None
    [update] = phone.sync()
    assert update["id"] == conflict["id"] and update["data"]["resolved_at"] is not None


def test_a_plan_step_ticked_off_on_one_device_stays_ticked_off_when_another_clears_it(
    client, make, login
):
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    step = make.step(participant)
    participants_phone = Device(client, login(make.participant_user(participant)))
    specialists_phone = Device(client, login(specialist))
    done = "2026-11-21T18:00:00+01:00"

    [ticked] = participants_phone.push(
        mutation("plan_steps", step.id, {"done_at": done}, base_version=1)
    )
    assert ticked["status"] == "applied"
    # The specialist, offline since version 1, unticks it and retitles it.
    [cleared] = specialists_phone.push(
        mutation(
            "plan_steps", step.id, {"done_at": None, "title": "Oppdatere CV-en"}, base_version=1
        )
    )
    assert cleared["status"] == "merged" and cleared["conflicts"] == ["done_at"]
    stored = fresh(PlanStep, step.id)
    assert stored.done_at == datetime.fromisoformat(done)  # set wins
    assert stored.title == "Oppdatere CV-en"  # what did not conflict is applied
    conflict = db.session.scalar(select(Conflict).where(Conflict.record_id == step.id))
    assert conflict.field == "done_at" and conflict.other_value is None
    assert datetime.fromisoformat(conflict.kept_value) == datetime.fromisoformat(done)

    # The other order: cleared first, ticked off later; ticked off it stays as well.
    other = make.step(participant, done_at=datetime(2026, 11, 1, 12, tzinfo=UTC))
    [first] = specialists_phone.push(
        mutation("plan_steps", other.id, {"done_at": None}, base_version=1)
    )
    [then] = participants_phone.push(
        mutation("plan_steps", other.id, {"done_at": done}, base_version=1)
    )
    assert first["status"] == "applied"
    assert then["status"] == "merged"
    assert fresh(PlanStep, other.id).done_at == datetime.fromisoformat(done)


# --- deletes --------------------------------------------------------------------------------


def test_a_deletion_reaches_a_device_that_had_the_record_as_a_delete(client, make, login):
    specialist, _, employer, headers = _specialist_world(make, login)
    contact = make.employer_contact(specialist, employer)
    phone, tablet = Device(client, headers), Device(client, headers)
    tablet.sync()
    assert str(contact.id) in tablet.holds("employer_contacts")

    [deleted] = phone.push(mutation("employer_contacts", contact.id, op="delete"))
    assert deleted["status"] == "applied"
    changes = tablet.sync()
    assert changes == [
        {
            "entity": "employer_contacts",
            "id": str(contact.id),
            "op": "delete",
            "version": 2,
            "data": None,
        }
    ]
    assert str(contact.id) not in tablet.holds("employer_contacts")
    # A new device never hears of it.
    newcomer = Device(client, headers)
    assert str(contact.id) not in {c["id"] for c in newcomer.sync()}


def test_deleting_a_participant_removes_their_plan_and_meetings_from_every_device(
    client, make, login
):
    specialist, participant, employer, headers = _specialist_world(make, login)
    supervisor = make.user("supervisor", team=specialist.team)
    goal = make.goal(participant)
    records = {
        ("participants", str(participant.id)),
        ("plan_goals", str(goal.id)),
        ("plan_steps", str(make.step(participant, goal_id=goal.id).id)),
        ("meetings", str(make.meeting(participant).id)),
        ("job_matches", str(make.job_match(participant, employer).id)),
        ("consents", str(make.consent(participant).id)),
    }
    contact = make.employer_contact(specialist, employer, participant_id=participant.id)
    phones = {
        "specialist": Device(client, headers),
        "supervisor": Device(client, login(supervisor)),
        "participant": Device(client, login(make.participant_user(participant))),
    }
    for phone in phones.values():
        phone.sync()
    assert records <= set(phones["specialist"].records)

    response = client.delete(f"/api/v1/participants/{participant.id}", headers=headers)
    assert response.status_code == 204, response.json

    for who, phone in phones.items():
        held_before = {key for key in records if key in phone.records}
        deleted = {(c["entity"], c["id"]) for c in phone.sync() if c["op"] == "delete"}
        assert held_before and held_before <= deleted, who
        assert not records & set(phone.records), who
    # The contact with the employer is the specialist's work and stays.
    assert ("employer_contacts", str(contact.id)) in phones["specialist"].records
    # An edit made offline before the deletion is refused, and resurrects nothing.
    [result] = phones["specialist"].push(
        mutation("plan_goals", goal.id, {"title": "Ny"}, base_version=1)
    )
    assert result["status"] == "rejected"
    assert fresh(PlanGoal, goal.id).deleted_at is not None


def test_an_edit_of_a_record_deleted_on_another_device_is_rejected_and_nothing_is_resurrected(
    client, make, login
):
    _, _, employer, headers = _specialist_world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    phone.sync()
    tablet.sync()
    [deleted] = phone.push(mutation("employers", employer.id, op="delete"))
    assert deleted["status"] == "applied"

    [edited] = tablet.push(
        mutation("employers", employer.id, {"name": "Nytt navn AS"}, base_version=1)
    )
    assert edited["status"] == "rejected"
    assert "deleted" in edited["detail"]
    assert "version" not in edited

    stored = fresh(Employer, employer.id)
    assert stored.deleted_at is not None and stored.name != "Nytt navn AS"
    assert stored.version == 2
    response = client.get(f"/api/v1/employers/{employer.id}", headers=headers)
    assert response.status_code == 404
    changes = tablet.sync()
    assert [(c["id"], c["op"]) for c in changes] == [(str(employer.id), "delete")]
    assert str(employer.id) not in tablet.holds("employers")


# --- pull: pages, positions, order ----------------------------------------------------------


def test_the_first_pull_pages_through_everything_visible_without_gaps_or_repeats(
    client, make, login
):
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    consent = make.consent(participant)
    # Three employers committed together: one number in the feed, split across pages.
    together = [
        Employer(team_id=specialist.team_id, name=f"Samme AS {n}", org_number=None)
        for n in range(3)
    ]
    db.session.add_all(together)
    db.session.commit()
    employer = together[0]
    visible = {
        ("participants", participant.id),
        ("consents", consent.id),
        *(("employers", e.id) for e in together),
    }
    visible |= {
        ("meetings", make.meeting(participant).id),
        ("plan_steps", make.step(participant).id),
        ("employer_contacts", make.employer_contact(specialist, employer).id),
        ("job_matches", make.job_match(participant, employer).id),
    }
    # Rows the specialist may not see: a colleague's participant, another team's employer.
    make.participant(make.user("specialist", team=specialist.team))
    make.employer(make.team())
    gone = make.employer(specialist)
    gone.deleted_at = utcnow()
    db.session.commit()
    expected = {(entity, str(record_id)) for entity, record_id in visible}
    assert len(expected) == 9

    device = Device(client, login(specialist))
    pages = []
    while True:
        page = device.pull_page(limit=2)
        pages.append(page)
        if not page["has_more"]:
            break
    assert [p["has_more"] for p in pages] == [True] * (len(pages) - 1) + [False]
    assert all(len(p["changes"]) == 2 for p in pages[:-1]) and len(pages[-1]["changes"]) <= 2
    received = [(c["entity"], c["id"]) for p in pages for c in p["changes"]]
    assert len(received) == len(set(received))  # no repeats
    assert set(received) == expected  # no gaps, nothing more
    assert all(c["op"] == "upsert" for p in pages for c in p["changes"])  # no tombstones
    # Referenced records come before the records that name them.
    order = [entity for entity, _ in received]
    assert order.index("participants") < order.index("meetings")

    # Paging changes nothing about what arrives, nor its order.
    whole = Device(client, device.headers).sync(limit=500)
    assert [(c["entity"], c["id"]) for c in whole] == received


def test_what_changes_during_a_first_sync_arrives_within_the_same_sync(client, make, login):
    """A first sync hands out what existed when it began, one entity after another; what is
    committed meanwhile follows at its end, before the sync reports it has everything."""
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    employers = [make.employer(specialist) for _ in range(4)]
    meeting = make.meeting(participant)
    headers = login(specialist)
    device = Device(client, headers)
    first = device.pull_page(limit=2)
    assert first["has_more"]
    handed_out = {c["id"] for c in first["changes"]}

    # Meanwhile, on another device: an employer already sent is renamed, one not yet sent is
    # deleted, the meeting (not yet sent) is edited, and a new employer is created.
    other = Device(client, headers)
    other.sync()
    sent = next(e for e in employers if str(e.id) in handed_out)
    unsent = next(e for e in employers if str(e.id) not in handed_out)
    renamed, deleted, edited, created = other.push(
        mutation("employers", sent.id, {"name": "Nytt navn AS"}, base_version=sent.version),
        mutation("employers", unsent.id, op="delete", base_version=unsent.version),
        mutation("meetings", meeting.id, {"place": "Kafé"}, base_version=meeting.version),
        mutation("employers", new_id(), {"name": "Ny arbeidsgiver AS"}),
    )
    assert {r["status"] for r in (renamed, deleted, edited, created)} == {"applied"}

    device.sync(limit=2)
    assert device.records == Device(client, headers).sync_and_hold()
    assert device.holds("employers")[str(sent.id)]["name"] == "Nytt navn AS"
    assert str(unsent.id) not in device.holds("employers")
    assert device.holds("meetings")[str(meeting.id)]["place"] == "Kafé"


def test_a_cursor_made_before_first_syncs_were_paged_by_entity_still_reads(client, make, login):
    """Phones in the field hold cursors of the previous format; they go on from where they are."""
    _, _, employer, headers = _specialist_world(make, login)
    device = Device(client, headers)
    device.sync()
    fmt, seq, entity, record_id, base, first_sync = json.loads(
        base64.urlsafe_b64decode(device.cursor + "=" * (-len(device.cursor) % 4))
    )
    assert (fmt, first_sync) == (3, 0)
    device.cursor = (
        base64.urlsafe_b64encode(json.dumps([2, seq, entity, record_id, base]).encode())
        .decode()
        .rstrip("=")
    )
    [result] = Device(client, headers).push(
        mutation("employers", employer.id, {"name": "Etter oppgradering AS"}, base_version=1)
    )
    assert result["status"] == "applied"
    changes = device.sync()
    assert [(c["entity"], c["id"], c["data"]["name"]) for c in changes] == [
        ("employers", str(employer.id), "Etter oppgradering AS")
    ]


def test_a_pull_after_only_other_teams_changed_reads_no_entity_table(client, make, login):
    """Each team's last number is kept: when only other teams wrote, a pull answers from it,
    moves the cursor past their changes, and touches none of the entities' tables."""
    from sqlalchemy import event

    from api.offline.setup import registry

    _, _, employer, headers = _specialist_world(make, login)
    device = Device(client, headers)
    device.sync()
    held = device.cursor
    elsewhere = Device(client, login(make.user("specialist")))
    [result] = elsewhere.push(mutation("employers", new_id(), {"name": "Annet lag AS"}))
    assert result["status"] == "applied"

    tables = {entity.model.__tablename__ for entity in registry.entities}
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = device.pull_page()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert (page["changes"], page["has_more"], page["reset"]) == ([], False, False)
    assert page["cursor"] != held  # past the other team's change
    read = {table for table in tables for sql in statements if f" {table}" in sql}
    assert read == set(), read

    # A change in the team arrives as before, and so does one after a colleague's eviction.
    [renamed] = Device(client, headers).push(
        mutation("employers", employer.id, {"name": "Eget lag AS"}, base_version=1)
    )
    assert renamed["status"] == "applied"
    assert [(c["id"], c["data"]["name"]) for c in device.sync()] == [
        (str(employer.id), "Eget lag AS")
    ]


def test_an_administrator_pull_looks_at_every_team(client, make, login):
    admin = Device(client, login(make.user("admin")))
    admin.sync()
    participant = make.participant(make.user("specialist"))
    assert [(c["entity"], c["id"]) for c in admin.sync()] == [("participants", str(participant.id))]


def test_an_incremental_pull_after_no_changes_returns_nothing_and_the_same_position(
    client, make, login
):
    _, _, _, headers = _specialist_world(make, login)
    device = Device(client, headers)
    assert len(device.sync()) == 2
    cursor = device.cursor
    for _ in range(2):
        page = device.pull_page()
        assert (page["changes"], page["has_more"], page["reset"]) == ([], False, False)
        assert page["cursor"] == cursor


def test_the_time_a_client_claims_does_not_decide_the_order(client, make, login):
    _, participant, employer, headers = _specialist_world(make, login)
    phone, tablet = Device(client, headers), Device(client, headers)
    tablet.sync()
    future, past = new_id(), new_id()
    planned = {
        "participant_id": str(participant.id),
        "starts_at": "2999-01-01T00:00:00Z",  # a meeting may be planned ahead, far ahead
        "duration_minutes": 30,
        "setting": "community",
        "kind": "job_search",
    }
    phone.push(mutation("meetings", future, planned))
    late_sync = Device(client, headers)
    late_sync.sync()  # its cursor is past the first contact, claimed far in the future
    # A phone whose clock is years behind pushes next.
    phone.push(
        mutation(
            "employer_contacts",
            past,
            contact_data(employer, contacted_at="1901-01-01T00:00:00+01:00"),
        )
    )
    assert [c["id"] for c in tablet.sync()] == [str(future), str(past)]  # server order
    assert [c["id"] for c in late_sync.sync()] == [str(past)]  # not hidden behind the cursor


# --- pull: who sees what --------------------------------------------------------------------


def test_a_participant_pulls_only_their_own_plan_meetings_and_job_matches(client, make, login):
    specialist = make.user("specialist")
    own, other = make.participant(specialist), make.participant(specialist)
    own_employer, other_employer = make.employer(specialist), make.employer(specialist)
    rows: dict[str, dict[str, Any]] = {"own": {}, "other": {}}
    for key, participant, employer in (
        ("own", own, own_employer),
        ("other", other, other_employer),
    ):
        make.consent(participant)
        goal = make.goal(participant)
        rows[key] = {
            "participants": participant.id,
            "plan_goals": goal.id,
            "plan_steps": make.step(participant, goal_id=goal.id).id,
            "meetings": make.meeting(participant, notes="Privat notat").id,
            "job_matches": make.job_match(participant, employer, notes="Internt").id,
            "employers": employer.id,
        }
        make.employer_contact(specialist, employer, participant_id=participant.id)
    device = Device(client, login(make.participant_user(own)))

    changes = device.sync()
    received = {(c["entity"], c["id"]) for c in changes}
    assert received == {(entity, str(record_id)) for entity, record_id in rows["own"].items()}
    assert "notes" not in device.holds("meetings")[str(rows["own"]["meetings"])]
    assert "notes" not in device.holds("job_matches")[str(rows["own"]["job_matches"])]
    employer_data = device.holds("employers")[str(own_employer.id)]
    assert not {"notes", "contact_person", "phone"} & employer_data.keys()

    # Later changes to the other participant's records stay away from this device.
    other_headers = login(specialist)
    client.patch(
        f"/api/v1/plan_steps/{rows['other']['plan_steps']}",
        json={"title": "Ny tittel"},
        headers=other_headers,
    )
    client.patch(
        f"/api/v1/plan_steps/{rows['own']['plan_steps']}",
        json={"title": "Min nye tittel"},
        headers=other_headers,
    )
    assert [(c["entity"], c["id"]) for c in device.sync()] == [
        ("plan_steps", str(rows["own"]["plan_steps"]))
    ]


def test_a_participant_receives_the_employer_of_a_new_job_match_and_loses_it_with_the_match(
    client, make, login
):
    _, participant, employer, headers = _specialist_world(make, login)
    make.consent(participant)  # to contact employers, which a job match needs
    phone = Device(client, login(make.participant_user(participant)))
    phone.sync()
    assert not phone.holds("employers")  # no job match yet: no employer to see

    match = client.post(
        "/api/v1/job_matches",
        json={
            "participant_id": str(participant.id),
            "employer_id": str(employer.id),
            "job_title": "Lagermedarbeider",
            "status": "applied",
        },
        headers=headers,
    )
    assert match.status_code == 201, match.json
    received = {(c["entity"], c["id"], c["op"]) for c in phone.sync()}
    assert ("employers", str(employer.id), "upsert") in received
    assert ("job_matches", match.json["id"], "upsert") in received

    second = make.job_match(participant, employer)  # a second application to the same employer
    assert (
        client.delete(f"/api/v1/job_matches/{match.json['id']}", headers=headers).status_code == 204
    )
    phone.sync()
    assert str(employer.id) in phone.holds("employers")  # still shown by the second one

    assert client.delete(f"/api/v1/job_matches/{second.id}", headers=headers).status_code == 204
    changes = phone.sync()
    assert ("employers", str(employer.id), "evict") in {
        (c["entity"], c["id"], c["op"]) for c in changes
    }
    assert not phone.holds("employers") and not phone.holds("job_matches")


def test_an_offline_edit_of_a_participant_moved_to_another_specialist_says_so(client, make, login):
    """The phone had the participant and a meeting; the admin moved the participant to a
    colleague while the phone was offline. The phone's edit and deletion are refused with
    words the specialist understands, and nothing changes. Someone whose devices never held the
    record is not told that it exists."""
    specialist, participant, _, headers = _specialist_world(make, login)
    meeting = make.meeting(participant)
    colleague = make.user("specialist", team=specialist.team)
    admin = make.user("admin")
    phone = Device(client, headers)
    phone.sync()
    assert str(participant.id) in phone.holds("participants")
    moved = client.post(
        f"/api/v1/participants/{participant.id}/transfer",
        json={"specialist_id": str(colleague.id)},
        headers=login(admin),
    )
    assert moved.status_code == 200, moved.json

    results = phone.push(
        mutation("participants", participant.id, {"phone": "40000001"}, base_version=1),
        mutation("meetings", meeting.id, op="delete"),
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    for result in results:
        assert "can no longer see this record" in result["detail"], result
    assert fresh(Participant, participant.id).phone != "40000001"
    assert fresh(Meeting, meeting.id).deleted_at is None

    stranger = Device(client, login(make.user("specialist")))  # another team: never had it
    [probe] = stranger.push(
        mutation("participants", participant.id, {"phone": "40000002"}, base_version=1)
    )
    assert probe["status"] == "rejected"
    assert "can no longer see" not in probe["detail"]
    assert fresh(Participant, participant.id).phone != "40000002"
    changes = phone.sync()
    assert ("participants", str(participant.id), "evict") in {
        (c["entity"], c["id"], c["op"]) for c in changes
    }


def test_a_supervisor_pulls_the_teams_meetings_without_the_notes(client, make, login):
    specialist = make.user("specialist")
    participant = make.participant(specialist, phone="40000000")
    meeting = make.meeting(participant, notes="Snakket om helse", place="Kafé")
    supervisor = make.user("supervisor", team=specialist.team)
    device = Device(client, login(supervisor))
    device.sync()
    data = device.holds("meetings")[str(meeting.id)]
    # The setting counts for the community share; where exactly (a home, a clinic) is free text.
    assert data["setting"] == "community" and "place" not in data and "notes" not in data
    assert "phone" not in device.holds("participants")[str(participant.id)]
    # A change to the notes arrives as a change, still without them.
    client.patch(f"/api/v1/meetings/{meeting.id}", json={"notes": "Mer"}, headers=login(specialist))
    [change] = device.sync()
    assert change["id"] == str(meeting.id) and "notes" not in change["data"]


def test_another_teams_rows_never_appear_in_a_pull(client, make, login):
    ours = make.user("specialist")
    theirs = make.user("specialist")
    assert ours.team_id != theirs.team_id
    our_device = Device(client, login(ours))
    their_headers = login(theirs)
    their_participant = make.participant(theirs)
    their_employer = make.employer(theirs)
    make.meeting(their_participant)
    make.employer_contact(theirs, their_employer)
    our_employer = make.employer(ours)
    initial = our_device.sync()
    assert ids(initial) == {str(our_employer.id)}

    # Their later work, through sync and REST, stays on their side too.
    their_phone = Device(client, their_headers)
    their_phone.push(
        mutation("employer_contacts", new_id(), contact_data(their_employer)),
        mutation("participants", their_participant.id, {"phone": "41111111"}, base_version=1),
    )
    client.delete(f"/api/v1/employers/{their_employer.id}", headers=their_headers)
    assert our_device.sync() == []
    their_ids = {str(their_participant.id), str(their_employer.id)}
    assert not their_ids & {rid for _, rid in our_device.records}


# --- refusals of the whole request ----------------------------------------------------------


def test_an_app_whose_schema_is_too_old_is_told_to_update(client, make, login):
    _, _, employer, headers = _specialist_world(make, login)
    phone = Device(client, headers)
    body = phone.push_body([mutation("employer_contacts", new_id(), contact_data(employer))])
    body["schema_version"] = 0
    response = client.post(PUSH, json=body, headers=headers)
    assert response.status_code == 426
    assert response.mimetype == "application/problem+json"
    assert "update the app" in response.json["detail"]
    assert count(EmployerContact) == 0

    by_query = client.get(PULL, query_string={"schema_version": 0}, headers=headers)
    by_header = client.get(PULL, headers={**headers, "X-Schema-Version": "0"})
    assert by_query.status_code == 426, by_query.json
    assert by_header.status_code == 426, by_header.json
    current = client.get(PULL, query_string={"schema_version": SCHEMA_VERSION}, headers=headers)
    assert current.status_code == 200


def test_a_cursor_not_made_by_this_server_is_refused(client, make, login):
    headers = login(make.user("specialist"))
    made_up = base64.urlsafe_b64encode(json.dumps([99, 1, 0, None, 0]).encode()).decode()
    negative = base64.urlsafe_b64encode(json.dumps([2, -5, 0, None, 0]).encode()).decode()
    odd_flag = base64.urlsafe_b64encode(json.dumps([3, 1, 0, None, 0, 7]).encode()).decode()
    no_flag = base64.urlsafe_b64encode(json.dumps([3, 1, 0, None, 0]).encode()).decode()
    for cursor in ("garbage!", "bm90IGpzb24", made_up, negative, odd_flag, no_flag, "e30"):
        response = client.get(PULL, query_string={"cursor": cursor}, headers=headers)
        assert response.status_code == 400, (cursor, response.json)
        assert response.mimetype == "application/problem+json"
        assert "without a cursor" in response.json["detail"]


def test_a_push_of_more_than_1000_mutations_is_refused_whole(client, make, login):
    _, _, employer, headers = _specialist_world(make, login)
    phone = Device(client, headers)
    body = phone.push_body(
        [mutation("employer_contacts", new_id(), contact_data(employer)) for _ in range(1001)]
    )
    response = client.post(PUSH, json=body, headers=headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "mutations" in json.dumps(response.json.get("errors"))
    assert count(EmployerContact) == 0


def test_the_date_a_participant_enrolled_survives_a_round_trip(client, make, login):
    specialist = make.user("specialist")
    headers = login(specialist)
    phone, tablet = Device(client, headers), Device(client, headers)
    tablet.sync()
    record_id = new_id()
    [created] = phone.push(
        mutation(
            "participants",
            record_id,
            {"first_name": "Ola", "last_name": "Nordmann", "enrolled_on": "2026-10-01"},
        )
    )
    assert created["status"] == "applied" and created["version"] == 1
    [change] = tablet.sync()
    assert change["data"]["enrolled_on"] == "2026-10-01"
    assert change["data"]["specialist_id"] == str(specialist.id)
    assert fresh(Participant, record_id).enrolled_on == date(2026, 10, 1)
    assert fresh(Participant, record_id).created_at > utcnow() - timedelta(minutes=5)
