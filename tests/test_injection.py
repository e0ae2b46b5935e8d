"""Text is data, never code: SQL and script written into any text field comes back unchanged.

For every text field of every entity someone writes (taken from the entity registry and its
schemas, so a new field is swept the day it is added), each string below is written through REST
and through sync push, then read back through REST and sync pull: the exact string returns, and
every table is still there with its rows. A string longer than a field's limit is not written
to that field (tests/test_limits.py covers those). The field app shows such text as text:
tests/e2e/test_field_app.py checks a participant named like an <img onerror> tag.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from api.accounts.models import User
from api.entities import ENTITIES
from api.extensions import db
from tests.schema_bodies import Caseload, writable_text_fields, written_entities
from tests.test_sync import Device, mutation

API = "/api/v1"
SQL = [
    "'; DROP TABLE participants; --",
    '" OR 1=1 --',
    "' OR '1'='1",
    "x'); DELETE FROM meetings; --",
    "1; UPDATE users SET role='admin'",
    "%_\\ LIKE 'a%' ESCAPE '\\'",
]
SCRIPT = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
    "{{7*7}} ${7*7} <%= 7*7 %>",
]
# Unicode without NUL: letters, an emoji outside the BMP, right-to-left override, full-width <>.
UNICODE = ["\u00c6rlig \u00f8rret p\u00e5 \u00e5sen \U0001f600 \u202eevil\u202c \uff1cb\uff1e"]
STRINGS = SQL + SCRIPT + UNICODE


def fitting(entity_name: str, value: str) -> list[str]:
    """The entity's writable text fields that can hold `value`."""
    return [
        name
        for name, f in writable_text_fields(ENTITIES[entity_name]).items()
        if f.max_length is None or len(value) <= f.max_length
    ]


def tables_intact() -> dict[str, int]:
    db.session.rollback()  # read what is committed
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


@pytest.mark.parametrize("path", ["rest", "sync"])
@pytest.mark.parametrize("value", STRINGS)
def test_injected_text_is_stored_and_returned_unchanged(
    client: Any, make: Any, login: Any, value: str, path: str
) -> None:
    world = Caseload.make(make)
    headers = {"specialist": login(world.specialist), "supervisor": login(world.supervisor)}
    written: dict[str, tuple[str, list[str], str]] = {}  # entity -> (id, fields, writer)
    for entity in written_entities():
        names = fitting(entity.name, value)
        if not names:
            continue
        role = "supervisor" if world.writer(entity) is world.supervisor else "specialist"
        body = world.body(entity, **dict.fromkeys(names, value))
        if path == "rest":
            response = client.post(f"{API}/{entity.name}", json=body, headers=headers[role])
            assert response.status_code == 201, (entity.name, response.json)
            record_id = response.json["id"]
            assert all(response.json[name] == value for name in names)
        else:
            record_id = str(uuid.uuid4())
            [result] = Device(client, headers[role]).push(mutation(entity.name, record_id, body))
            assert result["status"] == "applied", (entity.name, result)
        written[entity.name] = (record_id, names, role)
    assert len(written) == len(list(written_entities())), "every entity took the string somewhere"

    # Read back through REST ...
    for entity_name, (record_id, names, role) in written.items():
        stored = client.get(f"{API}/{entity_name}/{record_id}", headers=headers[role])
        assert stored.status_code == 200, stored.json
        for name in names:
            assert stored.json[name] == value, (entity_name, name, stored.json[name])
    # ... and through a full pull, as the field app does.
    pulled = {role: Device(client, role_headers) for role, role_headers in headers.items()}
    for device in pulled.values():
        device.sync()
    for entity_name, (record_id, names, role) in written.items():
        data = pulled[role].holds(entity_name)[record_id]
        for name in names:
            assert data[name] == value, (entity_name, name, data[name])

    # Searching for the string finds it as text (the LIKE pattern is escaped, not SQL). Only
    # ASCII: SQLite's lower() folds no other letters, so "Ærlig" is not found as "ærlig" there.
    for entity_name, (record_id, names, role) in written.items():
        searched = set(ENTITIES[entity_name].search) & set(names)
        if searched and value.isascii():
            found = client.get(
                f"{API}/{entity_name}", query_string={"q": value}, headers=headers[role]
            )
            assert found.status_code == 200, found.json
            assert record_id in {r["id"] for r in found.json}, entity_name

    # Every table is still there, and nothing was deleted or promoted.
    counts = tables_intact()
    assert counts["participants"] >= 2 and counts["meetings"] >= 1 and counts["employers"] >= 2
    assert sorted(db.session.scalars(select(User.role))) == ["specialist", "supervisor"]


def test_the_sweep_reaches_every_text_field() -> None:
    """Not vacuous: the strings reach the notes, names and titles of every entity."""
    swept = {(e.name, n) for e in written_entities() for n in writable_text_fields(e)}
    assert {
        ("participants", "first_name"),
        ("meetings", "notes"),
        ("meetings", "agreed_next_steps"),
        ("employer_contacts", "notes"),
        ("job_matches", "notes"),
        ("consents", "note"),
        ("career_profiles", "disclosure_preference"),
        ("plan_steps", "title"),
        ("employers", "notes"),
        ("week_reviews", "comment"),
    } <= swept
    assert len(swept) >= 25
    for value in STRINGS:
        assert "\x00" not in value
        assert fitting("meetings", value) == ["place", "agreed_next_steps", "notes"]
