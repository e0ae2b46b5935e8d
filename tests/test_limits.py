"""Every text a client writes has a maximum length, one limit per kind of text, and a text over it
is refused with the field and the limit named, changing nothing, through REST and sync push alike.

The limits are the constants in api/common/schema.py; the entity schemas name them, so the
OpenAPI document shows them too (tests/test_openapi.py holds the document to the schemas).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from marshmallow import fields, validate
from sqlalchemy import String, func, select

from api.common import schema as common
from api.entities import ENTITIES, erased_fields
from api.extensions import db
from tests.schema_bodies import Caseload, writable_text_fields, written_entities
from tests.test_sync import Device, mutation

API = "/api/v1"
PROBLEM = "application/problem+json"
KINDS = {
    "PERSON_NAME_MAX": 100,
    "CATEGORY_MAX": 100,
    "TITLE_MAX": 200,
    "ADDRESS_MAX": 300,
    "SHORT_NOTE_MAX": 500,
    "NOTE_MAX": 2000,
    "LONG_TEXT_MAX": 4000,
    "PHONE_MAX": 30,
    "EMAIL_MAX": 254,
}
# A letter that is two bytes in UTF-8: limits count characters, not bytes.
LETTER = "ø"
TEXT_FIELDS = [
    pytest.param(entity.name, name, id=f"{entity.name}.{name}")
    for entity in written_entities()
    for name in writable_text_fields(entity)
]


def string_fields(schema: Any) -> dict[str, fields.String]:
    """Strings a client writes, other than choices and patterned codes (org_number)."""
    return {
        name: f
        for name, f in schema().fields.items()
        if isinstance(f, fields.String)
        and not f.dump_only
        and "enum" not in f.metadata
        and "pattern" not in f.metadata
    }


def max_length(f: fields.Field) -> int | None:
    limits = [v.max for v in f.validators if isinstance(v, validate.Length) and v.max is not None]
    return min(limits) if limits else None


def too_long_message(name: str, limit: int) -> str:
    return f"{name} may be at most {limit} characters long; this is {limit + 1}."


def rows(model: Any) -> int:
    db.session.rollback()  # read what is committed
    return db.session.scalar(select(func.count()).select_from(model))


# --- The limits themselves ---------------------------------------------------------------


def test_one_constant_per_kind_of_text() -> None:
    assert {name: getattr(common, name) for name in KINDS} == KINDS
    assert common.NOTE_MAX == 2000 and common.TITLE_MAX == 200


def test_every_string_a_client_writes_has_a_limit_from_the_constants() -> None:
    allowed = set(KINDS.values())
    checked = 0
    for entity in ENTITIES.values():
        for name, f in string_fields(entity.schema).items():
            limit = max_length(f)
            assert limit is not None, f"{entity.name}.{name} has no maximum length"
            assert limit in allowed, f"{entity.name}.{name}: {limit} is not one of the limits"
            checked += 1
    assert checked >= 30


def test_every_free_text_field_that_erasure_clears_is_limited() -> None:
    for name, free_text in erased_fields().items():
        found = string_fields(ENTITIES[name].schema)
        for field_name in free_text:
            assert field_name in found, f"{name}.{field_name} is not a limited text field"
            assert max_length(found[field_name]) is not None


def test_notes_and_titles_have_their_limits() -> None:
    def limit(entity: str, name: str) -> int | None:
        return max_length(ENTITIES[entity].schema().fields[name])

    for entity, name in [
        ("meetings", "notes"),
        ("meetings", "agreed_next_steps"),
        ("employer_contacts", "notes"),
        ("job_matches", "notes"),
        ("team_meetings", "notes"),
        ("plan_goals", "description"),
        ("week_reviews", "comment"),
    ]:
        assert limit(entity, name) == common.NOTE_MAX, (entity, name)
    for entity, name in [
        ("plan_goals", "title"),
        ("plan_steps", "title"),
        ("job_matches", "job_title"),
        ("employers", "name"),
    ]:
        assert limit(entity, name) == common.TITLE_MAX, (entity, name)
    assert limit("consents", "note") == common.SHORT_NOTE_MAX
    assert limit("career_profiles", "strengths") == common.LONG_TEXT_MAX


def test_no_column_holds_less_than_its_field_takes() -> None:
    checked = 0
    for entity in ENTITIES.values():
        columns = entity.model.__table__.columns
        for name, f in string_fields(entity.schema).items():
            column_type = columns[name].type
            if isinstance(column_type, String) and column_type.length is not None:
                limit = max_length(f)
                assert limit is not None and limit <= column_type.length, (
                    f"{entity.name}.{name}: the schema takes {limit}, the column "
                    f"{column_type.length}"
                )
                checked += 1
    assert checked >= 15


def test_the_openapi_document_shows_the_limits(client: Any) -> None:
    spec = client.get("/api/openapi.json").json["components"]["schemas"]
    assert spec["Meeting"]["properties"]["notes"]["maxLength"] == common.NOTE_MAX
    assert spec["CareerProfile"]["properties"]["strengths"]["maxLength"] == common.LONG_TEXT_MAX
    assert spec["PlanStep"]["properties"]["title"]["maxLength"] == common.TITLE_MAX


# --- REST -------------------------------------------------------------------------------


@pytest.mark.parametrize(("entity_name", "field_name"), TEXT_FIELDS)
def test_rest_refuses_a_text_over_its_limit_and_changes_nothing(
    client: Any, make: Any, login: Any, entity_name: str, field_name: str
) -> None:
    entity = ENTITIES[entity_name]
    limit = writable_text_fields(entity)[field_name].max_length
    assert limit is not None
    world = Caseload.make(make)
    headers = login(world.writer(entity))
    body = world.body(entity, **{field_name: LETTER * (limit + 1)})
    before = rows(entity.model)

    refused = client.post(f"{API}/{entity_name}", json=body, headers=headers)
    assert refused.status_code == 422, refused.json
    assert refused.mimetype == PROBLEM
    assert refused.json["errors"] == {field_name: [too_long_message(field_name, limit)]}
    assert rows(entity.model) == before

    # Exactly at the limit it is taken, and stored whole.
    created = client.post(
        f"{API}/{entity_name}",
        json=world.body(entity, **{field_name: LETTER * limit}),
        headers=headers,
    )
    assert created.status_code == 201, created.json
    url = f"{API}/{entity_name}/{created.json['id']}"
    stored = client.get(url, headers=headers).json
    assert stored[field_name] == LETTER * limit

    changed = client.patch(url, json={field_name: "x" * (limit + 1)}, headers=headers)
    assert changed.status_code == 422, changed.json
    assert changed.json["errors"] == {field_name: [too_long_message(field_name, limit)]}
    assert client.get(url, headers=headers).json == stored


def test_rest_refuses_an_email_address_over_its_limit(client: Any, make: Any, login: Any) -> None:
    world = Caseload.make(make)
    entity = ENTITIES["participants"]
    email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 59}.no"
    assert len(email) == common.EMAIL_MAX + 1
    refused = client.post(
        f"{API}/participants",
        json=world.body(entity, email=email),
        headers=login(world.specialist),
    )
    assert refused.status_code == 422, refused.json
    assert refused.json["errors"]["email"] == ["email may be at most 254 characters long."]


# --- Sync push ----------------------------------------------------------------------------


@pytest.mark.parametrize("entity_name", sorted(e.name for e in written_entities()))
def test_sync_push_rejects_each_text_over_its_limit_and_applies_the_rest(
    client: Any, make: Any, login: Any, entity_name: str
) -> None:
    entity = ENTITIES[entity_name]
    world = Caseload.make(make)
    device = Device(client, login(world.writer(entity)))
    texts = {name: f.max_length or 0 for name, f in writable_text_fields(entity).items()}
    assert texts and all(texts.values())

    existing_id = str(uuid.uuid4())
    [made] = device.push(mutation(entity_name, existing_id, world.body(entity)))
    assert made["status"] == "applied", made
    before = client.get(f"{API}/{entity_name}/{existing_id}", headers=device.headers).json

    too_long = {
        name: mutation(
            entity_name,
            uuid.uuid4(),
            world.body(entity, **{name: LETTER * (limit + 1)}),
        )
        for name, limit in texts.items()
    }
    edits = {
        name: mutation(
            entity_name,
            existing_id,
            {name: LETTER * (limit + 1)},
            base_version=made["version"],
        )
        for name, limit in texts.items()
    }
    fine_id = str(uuid.uuid4())
    fine = mutation(entity_name, fine_id, world.body(entity))
    results = device.push(*too_long.values(), fine, *edits.values())
    by_id = {r["mutation_id"]: r for r in results}

    for name, limit in texts.items():
        for sent in (too_long[name], edits[name]):
            result = by_id[sent["mutation_id"]]
            assert result["status"] == "rejected", result
            assert result["errors"] == {name: [too_long_message(name, limit)]}, result
    assert by_id[fine["mutation_id"]]["status"] == "applied"

    # Nothing of the refused mutations was written; the good one was.
    for sent in too_long.values():
        missing = client.get(f"{API}/{entity_name}/{sent['id']}", headers=device.headers)
        assert missing.status_code == 404
    assert client.get(f"{API}/{entity_name}/{fine_id}", headers=device.headers).status_code == 200
    after = client.get(f"{API}/{entity_name}/{existing_id}", headers=device.headers).json
    assert after == before
