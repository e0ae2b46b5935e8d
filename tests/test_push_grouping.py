"""Which new records a push writes together (sync.push._creation_run), on a registry of its
own: the rules are the engine's, not the application's."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma

from sync.push import _creation_run
from sync.registry import Registry, SyncEntity


def _entity(name: str, append_only: bool) -> SyncEntity:
    return SyncEntity(
        name=name, model=object, schema=ma.Schema, scope=lambda _: None, append_only=append_only
    )


REGISTRY = Registry(
    [_entity("contacts", True), _entity("meetings", True), _entity("employers", False)],
    writer=None,  # type: ignore[arg-type]
    principal_id=lambda principal: principal,
)


def _create(entity: str, **data: Any) -> dict[str, Any]:
    return {
        "mutation_id": uuid.uuid4(),
        "entity": entity,
        "op": "upsert",
        "id": uuid.uuid4(),
        "base_version": None,
        "data": data,
    }


def _run(mutations: list[dict[str, Any]], start: int = 0, handled: Any = None) -> list[int]:
    new = {(m["entity"], m["id"]) for m in mutations if m["op"] == "upsert"}
    handled = handled or [None] * len(mutations)
    return _creation_run(REGISTRY, mutations, start, {}, new, set(), handled)


def test_new_records_of_append_only_entities_logged_in_turn_are_grouped_per_entity():
    batch = [_create("contacts"), _create("meetings"), _create("contacts"), _create("meetings")]
    assert _run(batch) == [0, 2]
    assert _run(batch, 1, ["done", None, "done", None]) == [1, 3]


def test_a_record_that_refers_to_one_passed_over_is_not_moved_ahead_of_it():
    meeting = _create("meetings")
    batch = [
        _create("contacts"),
        meeting,
        _create("contacts", meeting_id=str(meeting["id"]).upper()),
        _create("contacts"),
    ]
    assert _run(batch) == [0]  # the run stops where the order starts to matter


def test_a_reference_nested_in_a_list_counts_too():
    meeting = _create("meetings")
    batch = [_create("contacts"), meeting, _create("contacts", links=[{"id": str(meeting["id"])}])]
    assert _run(batch) == [0]


def test_other_entities_and_other_operations_keep_their_place():
    employer = _create("employers")
    batch = [_create("contacts"), employer, _create("contacts")]
    assert _run(batch) == [0]  # an employer's creation may be what a later record needs
    edit = {**_create("meetings"), "op": "delete"}
    assert _run([_create("contacts"), edit, _create("contacts")]) == [0]
    # Employers are not append-only: consecutive ones go together, nothing is moved.
    employers = [_create("employers"), _create("employers"), _create("contacts")]
    assert _run(employers) == [0, 1]
    assert _run([employers[0], _create("contacts"), employers[1]]) == [0]


def test_the_same_record_twice_ends_the_run():
    first = _create("contacts")
    again = {**first, "mutation_id": uuid.uuid4()}
    assert _run([first, _create("meetings"), again]) == [0]
