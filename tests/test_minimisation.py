"""Supervisors get counts and summaries, not note text; and no field asks for health information.

The world: a team with a specialist, a supervisor and participants, with one record of every entity
that someone writes, made through the API. Every free-text field holds a marker, except the few
that a supervisor reads on purpose (`SUPERVISOR_READS`, each with its reason). The supervisor
then calls every GET route of the API (read from the app's url_map, so a new route is checked the
day it is added) with every id of the world, the reports as JSON and CSV, and pulls everything
through sync: the marker appears in none of it. The specialist, who wrote it, sees the marker in
every marked field, so the test would notice a marker that never arrived.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from flask import Flask

from api.access import rules_for
from api.entities import ENTITIES
from api.extensions import db
from api.participants.models import Participant
from tests.factories import Factory
from tests.schema_bodies import (
    Caseload,
    text_fields,
    writable_text_fields,
    writer_role,
    written_entities,
)
from tests.test_sync import Device

API = "/api/v1"
MARKER = "qzx7mark"
# Text a supervisor reads on purpose, and why.
SUPERVISOR_READS = {
    # Whose caseload is whose: the caseload summary names the participants.
    ("participants", "first_name"),
    ("participants", "last_name"),
    # The team's employers, which every specialist of the team works with; not about a participant.
    ("employers", "name"),
    ("employers", "industry"),
    ("employers", "address"),
    ("employers", "contact_person"),
    # Job facts that the outcome reports count (the kind of job, not what was said about it).
    ("job_matches", "job_title"),
    ("job_matches", "job_type"),
    # The supervisor's own comment on a specialist's week.
    ("week_reviews", "comment"),
}
# What a supervisor reads, by the entities' declared rules, and finds records of here: everything
# but conflicts, which are each person's own.
SUPERVISOR_LISTS = sorted(
    name for name in ENTITIES if name != "conflicts" and "supervisor" in rules_for(name).read
)
# Words that would name a field for health information (diagnoses, symptoms, medication).
HEALTH_WORDS = re.compile(r"diagnos|symptom|medic|medisin|icd|helse|health|sykdom|illness")


def marked_fields(entity_name: str) -> set[str]:
    entity = ENTITIES[entity_name]
    return {n for n in writable_text_fields(entity) if (entity_name, n) not in SUPERVISOR_READS}


class World:
    def __init__(self, client: Any, make: Factory, login: Any) -> None:
        self.client = client
        self.team = Caseload.make(make)
        self.specialist = login(self.team.specialist)
        self.supervisor = login(self.team.supervisor)
        self.ids: dict[str, set[str]] = {name: set() for name in ENTITIES}
        for entity in written_entities():
            marked = {n: self.marked_value(entity.name, n) for n in marked_fields(entity.name)}
            headers = self.supervisor if writer_role(entity) == "supervisor" else self.specialist
            response = client.post(
                f"{API}/{entity.name}", json=self.team.body(entity, **marked), headers=headers
            )
            assert response.status_code == 201, (entity.name, response.json)
            self.ids[entity.name].add(response.json["id"])
        self.written = {name: set(ids) for name, ids in self.ids.items()}
        participant_id = next(iter(self.ids["participants"]))
        # The participant's e-mail address and login name hold the marker too.
        changed = client.patch(
            f"{API}/participants/{participant_id}",
            json={"email": f"{MARKER}@example.no"},
            headers=self.specialist,
        )
        assert changed.status_code == 200, changed.json
        participant = db.session.get(Participant, uuid.UUID(participant_id))
        login_user = make.participant_user(participant)
        login_user.name = f"Deltaker {MARKER}"
        self.participant_login = str(login_user.id)
        # An edit conflict of the specialist's about a meeting's notes.
        conflict = make.conflict(
            self.team.specialist,
            entity="meetings",
            record_id=uuid.UUID(next(iter(self.ids["meetings"]))),
            field="notes",
        )
        conflict.kept_value, conflict.other_value = f"kept {MARKER}", f"other {MARKER}"
        self.ids["conflicts"].add(str(conflict.id))
        db.session.commit()
        # Every participant the bodies made (career profiles get one of their own).
        self.ids["participants"] |= {
            str(p.id)
            for p in db.session.scalars(
                db.select(Participant).where(Participant.team_id == self.team.specialist.team_id)
            )
        }
        self.users = {
            str(self.team.specialist.id),
            str(self.team.supervisor.id),
            self.participant_login,
        }
        self.team_id = str(self.team.specialist.team_id)

    @staticmethod
    def marked_value(entity: str, name: str) -> str:
        return f"{MARKER}@example.no" if name == "email" else f"Notat {MARKER} om {name}"

    def urls(self, rule: str) -> list[str]:
        """The rule with every id of the world that fits it."""
        params = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
        if not params:
            return [rule]
        [param] = params
        pools = {
            "participant_id": self.ids["participants"],
            "team_id": {self.team_id},
            "user_id": self.users,
        }
        if param == "record_id":
            pool = self.ids[rule.removeprefix(f"{API}/").split("/")[0]]
        else:
            assert param in pools, f"{rule}: no ids for <{param}>; add them to the test"
            pool = pools[param]
        return [re.sub(r"<[^>]+>", value, rule) for value in sorted(pool)]


@pytest.fixture
def world(client: Any, make: Factory, login: Any) -> World:
    return World(client, make, login)


def get_routes(app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(f"{API}/") and "GET" in (rule.methods or set())
    )


def queries(rule: str) -> list[dict[str, str]]:
    if rule.startswith(f"{API}/reports/"):
        return [{}, {"format": "csv"}, {"format": "csv", "lang": "en"}]
    if rule.endswith("/pull"):
        return [{}]
    if "<" not in rule:
        return [{"page_size": "100", "include_deleted": "true"}, {"page_size": "100"}]
    return [{}]


def test_the_supervisor_reads_no_free_text_about_participants_anywhere(
    app: Flask, world: World
) -> None:
    client = world.client
    answered: dict[str, int] = {}
    for rule in get_routes(app):
        for url in world.urls(rule):
            for query in queries(rule):
                response = client.get(url, query_string=query, headers=world.supervisor)
                body = response.get_data(as_text=True)
                assert MARKER not in body.lower(), (
                    f"GET {url} {query} as the supervisor shows free text: {body[:800]}"
                )
                answered[rule] = max(answered.get(rule, 0), response.status_code)
    # Not vacuous: the supervisor read the team's records and reports.
    for entity in SUPERVISOR_LISTS:
        listed = client.get(f"{API}/{entity}", headers=world.supervisor)
        assert listed.status_code == 200 and listed.json, entity
    for report in ("weekly", "fidelity", "outcomes"):
        assert answered[f"{API}/reports/{report}"] == 200
    assert len(answered) > 30


def test_the_supervisors_sync_pull_carries_no_free_text(world: World) -> None:
    device = Device(world.client, world.supervisor)
    changes = device.sync()
    assert MARKER not in json.dumps(changes).lower()
    pulled = {c["entity"] for c in changes}
    assert pulled >= set(SUPERVISOR_LISTS), pulled


def test_the_specialist_who_wrote_it_reads_every_marked_field(world: World) -> None:
    """The control: the marker is there, in every field the supervisor does not get."""
    device = Device(world.client, world.specialist)
    device.sync()
    for entity in written_entities():
        held = device.holds(entity.name)
        assert world.written[entity.name] <= held.keys(), entity.name
        for record_id in world.written[entity.name]:
            for name in marked_fields(entity.name):
                assert MARKER in str(held[record_id].get(name)), (entity.name, name)
    [conflict] = device.holds("conflicts").values()
    assert MARKER in conflict["kept_value"] and MARKER in conflict["other_value"]


def test_every_free_text_field_is_either_marked_or_read_on_purpose() -> None:
    """A text field added to an entity is hidden from supervisors unless someone decides
    otherwise here."""
    every = {(e.name, n) for e in ENTITIES.values() for n in text_fields(e)}
    assert every >= SUPERVISOR_READS, SUPERVISOR_READS - every
    assert sum(len(marked_fields(e.name)) for e in written_entities()) >= 20


def test_no_field_asks_for_health_information(client: Any) -> None:
    """Diagnoses, symptoms and medication do not belong in the product: no schema of the API
    and no column of the database has a field for them."""
    spec = client.get("/api/openapi.json").json
    names: set[str] = set()
    for schema_name, schema in spec["components"]["schemas"].items():
        names.add(schema_name)
        names.update(schema.get("properties", {}))
    for entity in ENTITIES.values():
        names.update(entity.schema().fields)
    for table in db.metadata.tables.values():
        names.add(table.name)
        names.update(column.name for column in table.columns)
    assert len(names) > 150
    offending = sorted(n for n in names if HEALTH_WORDS.search(n.lower()))
    assert not offending, f"fields that ask for health information: {offending}"
