"""One declaration per entity: the sync order, merge rules, REST routes and the field app's
entities and IndexedDB tables all come from the Entity each area registers."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask

from api.access import rules_for
from api.areas import entity_areas
from api.entities import ENTITIES
from api.extensions import schema_name
from api.offline import app_entities
from api.offline.setup import SYNC_ORDER, registry
from sync.registry import CLIENT_WINS, SERVER_WINS, SET_WINS

# The order devices in the field hold in their cursors: it only grows, at the end.
SHIPPED_SYNC_ORDER = (
    "employers",
    "participants",
    "consents",
    "career_profiles",
    "plan_goals",
    "meetings",
    "plan_steps",
    "employer_contacts",
    "team_meetings",
    "job_matches",
    "week_reviews",
    "conflicts",
)


def test_the_sync_order_is_the_declared_positions_and_keeps_the_shipped_order() -> None:
    positions = sorted(e.sync_position for e in ENTITIES.values())
    assert positions == list(range(1, len(ENTITIES) + 1)), "positions 1, 2, ... without gaps"
    assert SYNC_ORDER[: len(SHIPPED_SYNC_ORDER)] == SHIPPED_SYNC_ORDER
    assert [e.name for e in registry.entities] == list(SYNC_ORDER)
    assert set(SYNC_ORDER) == set(ENTITIES), "every entity syncs"


def test_every_reference_points_to_an_entity_earlier_in_the_sync_order() -> None:
    later = []
    for name, entity in ENTITIES.items():
        for field, target in entity.references.items():
            if target == "specialists":  # a user id: users do not sync
                continue
            assert target in ENTITIES, f"{name}.{field} references {target}, which is no entity"
            if SYNC_ORDER.index(target) >= SYNC_ORDER.index(name):
                later.append(f"{name}.{field} -> {target}")
    assert not later, f"references to entities that sync later: {later}"


def test_merge_rules_append_only_and_app_indexes_name_fields_of_the_entity() -> None:
    for entity in ENTITIES.values():
        fields = entity.schema().fields
        for field, rule in entity.merge_rules.items():
            assert field in fields, f"{entity.name}: merge rule for no field {field}"
            assert rule in (CLIENT_WINS, SERVER_WINS, SET_WINS), f"{entity.name}.{field}: {rule}"
        for field in entity.app_indexes:
            assert field in fields and field != "id", f"{entity.name}: app index {field}"
        assert not (entity.append_only and entity.merge_rules), entity.name
    synced = {e.name: e for e in registry.entities}
    assert dict(synced["plan_steps"].merge) == {"done_at": SET_WINS}
    assert {n for n, e in synced.items() if e.append_only} == {
        "employer_contacts",
        "meetings",
        "team_meetings",
    }


def test_an_entity_that_someone_creates_declares_an_example_of_its_other_fields() -> None:
    """The access tests make records from the example (tests/test_access_matrix.py)."""
    for entity in ENTITIES.values():
        fields = entity.schema().fields
        for name in entity.example:
            assert name in fields and not fields[name].dump_only, (
                f"{entity.name}: the example names {name}, which a client does not write"
            )
            assert name not in entity.references, (
                f"{entity.name}: the example names {name}, a reference: leave it out"
            )
        if rules_for(entity.name).create_roles:
            required = {n for n, f in fields.items() if f.required} - set(entity.references)
            missing = sorted(required - set(entity.example))
            assert entity.example and not missing, (
                f"{entity.name}: declare an example, with its required fields {missing}"
            )


def test_every_entity_area_is_found_and_serves_its_entities_routes(app: Flask) -> None:
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for name in ENTITIES:
        assert f"/api/v1/{name}" in rules, name
        assert f"/api/v1/{name}/<uuid:record_id>" in rules, name
    assert {e.area for e in ENTITIES.values()} == set(entity_areas())


def test_the_generated_app_entities_are_current() -> None:
    """pwa/src/entities.gen.ts and entities.history.json are what `make openapi` writes now."""
    for path, text in app_entities.expected_files().items():
        assert path.exists() and path.read_text() == text, (
            f"{path.name} is out of date with the entity declarations: run `make openapi`"
        )


def test_the_latest_app_store_version_is_the_declared_one() -> None:
    history = app_entities.read_history()
    declared = app_entities.declared_stores(app_entities.synced_entities())
    assert app_entities.tables_of(history[-1]["stores"]) == declared, (
        "the app's latest IndexedDB version differs from the declarations: run `make openapi`"
    )
    assert [v["version"] for v in history] == list(range(1, len(history) + 1))
    for before, after in itertools.pairwise(history):
        assert before["stores"] != after["stores"], f"version {after['version']} changes nothing"


def test_each_record_type_is_a_schema_of_the_openapi_document(client: Any) -> None:
    schemas = client.get("/api/openapi.json").json["components"]["schemas"]
    text = app_entities.GENERATED.read_text()
    for entity in ENTITIES.values():
        name = schema_name(entity.schema)
        assert name in schemas, f"{entity.name}: no schema {name} in the OpenAPI document"
        assert f'  {entity.name}: Schemas["{name}"];' in text


@pytest.mark.parametrize(
    ("history", "declared", "expected"),
    [
        # Nothing yet: the first version.
        ([], {"a": "id"}, [{"version": 1, "stores": {"a": "id"}}]),
        # The same tables: no new version.
        (
            [{"version": 1, "stores": {"a": "id, x"}}],
            {"a": "id, x"},
            [{"version": 1, "stores": {"a": "id, x"}}],
        ),
        # An index less, a table more: appended.
        (
            [{"version": 1, "stores": {"a": "id, x"}}],
            {"a": "id", "b": "id"},
            [
                {"version": 1, "stores": {"a": "id, x"}},
                {"version": 2, "stores": {"a": "id", "b": "id"}},
            ],
        ),
        # A table no entity declares any more: dropped (null), and gone after that.
        (
            [{"version": 1, "stores": {"a": "id", "b": "id"}}],
            {"a": "id"},
            [
                {"version": 1, "stores": {"a": "id", "b": "id"}},
                {"version": 2, "stores": {"a": "id", "b": None}},
            ],
        ),
        (
            [{"version": 2, "stores": {"a": "id", "b": None}}],
            {"a": "id"},
            [{"version": 2, "stores": {"a": "id", "b": None}}],
        ),
    ],
)
def test_a_version_is_appended_only_when_the_declarations_change(
    history: list[dict[str, Any]], declared: dict[str, str], expected: list[dict[str, Any]]
) -> None:
    assert app_entities.with_declared_version(history, dict(declared)) == expected


def test_a_caseload_entity_belongs_to_a_participant_and_erasure_names_real_text_fields() -> None:
    from api.entities import caseload_entities, erased_fields

    assert caseload_entities(), "some entities are a participant's caseload"
    for name in caseload_entities():
        assert ENTITIES[name].references.get("participant_id") == "participants", name
    for name, fields in erased_fields().items():
        declared = ENTITIES[name].schema().fields
        for field_name in fields:
            assert field_name in declared, f"{name}.{field_name} is not a field"
