"""Who may push what: every role against every synced entity, through /api/v1/sync/push.

For each role and entity, one push interleaves the four operations (create, an edit of a field
the role may not change, an edit of one it may, delete) with mutations the role is always
allowed (its anchors). Each result must be what the table below says, with its code; the
anchors must be applied around every refusal; and the database must hold exactly what the
applied mutations wrote: a refused mutation changes nothing. The world is the one of
tests/test_access_matrix.py (team A: sup_a, js1 with P1, js2 with P2; an admin; team B).

The table has a row for each role and each entity that tests/test_access_matrix.py pins
(`PINNED`: those with rows in its table). Any other entity (a new one) is checked against its own
declared rules until someone pins it in both tables (`declared_outcomes`, from its
`EntityAccess`), with edits made from its declared example: that shows its pushes do what its
declaration says, not that the declaration is the right policy. The derivation gives the table's
row for every pinned entity (`test_the_declared_rules_give_the_pinned_outcomes`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask

from api.access import rules_for
from api.accounts.models import User
from api.common.model import new_id
from api.entities import ENTITIES
from api.extensions import db
from api.participants.models import Participant
from tests.factories import Factory
from tests.test_access_matrix import (
    ENTITY_NAMES,
    PINNED,
    SOME_TIME,
    World,
    _post_body,
    _wipe,
    changes_of_example,
    declared_change,
    may_write,
    patch_body,
)

PUSH = "/api/v1/sync/push"
OPS = ("create", "forbidden_edit", "edit", "delete")
A = "applied"
NP = "not_permitted"
NF = "not_found"
FW = "field_not_writable"
NONE = None  # no such case: the role may change every field it can send

# (create, forbidden_edit, edit, delete) per role and entity; a code means rejected with it.
EVERYTHING = (A, NONE, A, A)
READS_ONLY = (NP, NONE, NP, NP)  # sees the record, may not write it
SEES_NOTHING = (NP, NONE, NF, NF)  # same answer as for a record that does not exist
EXPECTED: dict[str, dict[str, tuple[str | None, ...]]] = {
    "specialist": {
        **{name: EVERYTHING for name in PINNED},
        "week_reviews": READS_ONLY,  # the supervisor's
        "conflicts": (NP, NONE, A, NP),  # resolves their own
    },
    "supervisor": {
        **{name: READS_ONLY for name in PINNED},
        "participants": (NP, FW, A, NP),  # moves a participant to another specialist
        "week_reviews": (A, FW, A, A),  # the comment, not the week
        "conflicts": (NP, NONE, A, NP),
    },
    "participant": {
        "participants": READS_ONLY,  # themself
        "consents": SEES_NOTHING,
        "career_profiles": SEES_NOTHING,
        "employers": READS_ONLY,  # of their own job matches
        "employer_contacts": SEES_NOTHING,
        "meetings": READS_ONLY,
        "team_meetings": SEES_NOTHING,
        "job_matches": READS_ONLY,
        "plan_goals": READS_ONLY,
        "plan_steps": (NP, FW, A, NP),  # ticks off their step, changes nothing else
        "week_reviews": SEES_NOTHING,
        "conflicts": (NP, NONE, A, NP),
    },
    "admin": {
        **{name: SEES_NOTHING for name in PINNED},
        "participants": (NP, FW, A, NP),  # moves a participant to another specialist
    },
}
PLAYER = {"specialist": "js1", "supervisor": "sup_a", "participant": "p1", "admin": "admin"}


@pytest.fixture(autouse=True)
def clean_database() -> Iterator[None]:
    """Replaces conftest's wipe after every test: here the world lives for the whole module."""
    yield


@pytest.fixture(scope="module")
def world(app: Flask) -> Iterator[World]:
    _wipe(app)
    built = World(app)
    yield built
    built.push_service.__exit__()
    _wipe(app)


@pytest.fixture(autouse=True)
def _fresh_records(world: World) -> None:
    world.refresh_records()


def _mutation(
    entity: str, op: str, record_id: uuid.UUID, data: dict[str, Any], base: int | None
) -> dict[str, Any]:
    return {
        "mutation_id": str(uuid.uuid4()),
        "entity": entity,
        "op": op,
        "id": str(record_id),
        "base_version": base,
        "data": data,
    }


def _subject(world: World, role: str, entity: str) -> uuid.UUID:
    """The existing record the role's edits and delete aim at."""
    if entity == "conflicts":
        return {
            "specialist": world.rec["A1"]["conflicts"],
            "supervisor": world.extra["conflict_sup_a"],
            "participant": world.extra["conflict_p1"],
            "admin": world.rec["A1"]["conflicts"],
        }[role]
    return world.rec["A1"][entity]


def _edit(world: World, role: str, entity: str) -> dict[str, Any]:
    if role in ("admin", "supervisor") and entity == "participants":
        return {"specialist_id": str(world.ids["js2"])}
    if entity not in PINNED:  # a field of its example the role may change, if there is one
        return declared_change(entity, role) or patch_body(entity)
    return patch_body(entity)


FORBIDDEN_EDIT = {
    ("supervisor", "week_reviews"): {"iso_week": 45},
    ("participant", "plan_steps"): {"title": "Noe helt annet"},
    ("admin", "participants"): {"phone": "+47 400 00 000"},
    ("supervisor", "participants"): {"last_name": "Annen"},
}


def _forbidden_edit(role: str, entity: str) -> dict[str, Any]:
    """A change of a field the role may not change, of a record it may change other fields
    of: written out for a pinned entity, else from the declared example ({}: no such case)."""
    if entity in PINNED:
        return FORBIDDEN_EDIT.get((role, entity), {})
    access = rules_for(entity)
    if access.write.get(role) is None:
        return {}  # it may change every field, or none
    changes = changes_of_example(entity).items()
    return next(({n: v} for n, v in changes if not may_write(access, role, [n])), {})


def declared_outcomes(
    world: World,
    role: str,
    entity: str,
    edit: dict[str, Any],
    forbidden: dict[str, Any],
) -> tuple[str | None, ...]:
    """(create, forbidden_edit, edit, delete) for `role` pushing `entity`, by the entity's
    declared rules: what its row in EXPECTED would say."""
    access = rules_for(entity)
    create = A if role in access.create_roles else NP
    if not world.sees(PLAYER[role], entity, _subject(world, role, entity)):
        return (create, NF if forbidden else NONE, NF, NF)

    def change(body: dict[str, Any]) -> str | None:
        if not body:
            return NONE
        if role not in access.write:
            return NP
        return A if may_write(access, role, body) else FW

    delete = A if role in access.delete_roles else NP
    return (create, change(forbidden), change(edit), delete)


def expected_outcomes(world: World, role: str, entity: str) -> tuple[str | None, ...]:
    if entity in PINNED:
        return EXPECTED[role][entity]
    edit, forbidden = _edit(world, role, entity), _forbidden_edit(role, entity)
    return declared_outcomes(world, role, entity, edit, forbidden)


def _version_and_values(entity: str, record_id: uuid.UUID) -> dict[str, Any] | None:
    """The record as the schema writes it, with its version and tombstone; None if absent."""
    record = db.session.get(ENTITIES[entity].model, record_id)
    if record is None:
        return None
    values = dict(ENTITIES[entity].schema().dump(record))
    values["version"], values["deleted"] = record.version, record.deleted_at is not None
    return values


def _same(stored: Any, sent: Any) -> bool:
    if isinstance(stored, str) and isinstance(sent, str):
        try:
            return datetime.fromisoformat(stored) == datetime.fromisoformat(sent)
        except ValueError:
            return stored == sent
    return stored == sent


class Anchors:
    """Mutations the role may always push, each with a check that it was written."""

    def __init__(self, world: World, role: str) -> None:
        self.world, self.role = world, role
        self.records: list[uuid.UUID] = []
        if role not in ("participant", "admin"):
            return
        # Records of their own to write: P1's extra steps to tick off, js1's extra participants
        # for the admin to move.
        with world.app.app_context():
            f = Factory()
            p1 = db.session.get(Participant, world.rec["A1"]["participants"])
            js1 = db.session.get(User, world.ids["js1"])
            for _ in range(5):
                if role == "participant":
                    self.records.append(f.step(p1, title="Ekstra steg").id)
                else:
                    self.records.append(f.participant(js1).id)
            db.session.remove()
        world.dirty = True

    def mutation(self, number: int) -> dict[str, Any]:
        world = self.world
        if self.role == "specialist":
            data = {
                "employer_id": str(world.extra["EA3"]),  # not one the batch deletes
                "contacted_at": SOME_TIME,
                "mode": "in_person",
            }
            return _mutation("employer_contacts", "upsert", new_id(), data, None)
        if self.role == "supervisor":
            data = {
                "specialist_id": str(world.ids["js2"]),
                "iso_year": 2001 + number,
                "iso_week": 1,
            }
            return _mutation("week_reviews", "upsert", new_id(), data, None)
        if self.role == "participant":
            data = {"done_at": SOME_TIME}
            return _mutation("plan_steps", "upsert", self.records[number], data, 1)
        data = {"specialist_id": str(world.ids["js2"])}
        return _mutation("participants", "upsert", self.records[number], data, 1)

    def written(self, mutation: dict[str, Any]) -> bool:
        stored = _version_and_values(mutation["entity"], uuid.UUID(mutation["id"]))
        return stored is not None and all(
            _same(stored.get(k), v) for k, v in mutation["data"].items()
        )


def test_the_table_has_a_row_for_each_role_and_each_pinned_entity() -> None:
    for role, row in EXPECTED.items():
        assert set(row) == set(PINNED), role


def test_the_declared_rules_give_the_pinned_outcomes(world: World) -> None:
    """The derivation a new entity is checked with agrees with every row written out."""
    for role, row in EXPECTED.items():
        for entity in PINNED:
            edit, forbidden = _edit(world, role, entity), _forbidden_edit(role, entity)
            derived = declared_outcomes(world, role, entity, edit, forbidden)
            assert derived == row[entity], (
                f"{role} {entity}: declared {derived}, pinned {row[entity]}"
            )


@pytest.mark.parametrize("entity", ENTITY_NAMES)
@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_mutation_of_a_push_is_applied_or_rejected_on_its_own(
    world: World, role: str, entity: str
) -> None:
    expected = dict(zip(OPS, expected_outcomes(world, role, entity), strict=True))
    who = PLAYER[role]
    subject = _subject(world, role, entity)
    anchors = Anchors(world, role)
    with world.app.app_context():
        before = _version_and_values(entity, subject)
        db.session.remove()
    assert before is not None and not before["deleted"]
    version = before["version"]
    created_id = new_id()
    edit = _edit(world, role, entity)
    forbidden = _forbidden_edit(role, entity)
    operations = {
        "create": _mutation(entity, "upsert", created_id, _post_body(world, entity), None),
        "forbidden_edit": _mutation(entity, "upsert", subject, forbidden, version),
        "edit": _mutation(entity, "upsert", subject, edit, version),
        "delete": _mutation(entity, "delete", subject, {}, version),
    }
    batch: list[dict[str, Any]] = [anchors.mutation(0)]
    kinds: list[str] = ["anchor"]
    for number, op in enumerate(OPS, start=1):
        if expected[op] is None:
            continue
        batch += [operations[op], anchors.mutation(number)]
        kinds += [op, "anchor"]

    response = world.call(
        who,
        "POST",
        PUSH,
        json={"client_id": str(new_id()), "schema_version": 1, "mutations": batch},
    )
    world.dirty = True
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert [r["mutation_id"] for r in results] == [m["mutation_id"] for m in batch]
    for kind, result in zip(kinds, results, strict=True):
        want = "applied" if kind == "anchor" else expected[kind]
        if want == "applied":
            assert result["status"] == "applied", (kind, result)
        else:
            assert result["status"] == "rejected" and result["code"] == want, (kind, result)
            assert result["detail"] and "retry" not in result, result

    with world.app.app_context():
        for kind, mutation in zip(kinds, batch, strict=True):
            if kind == "anchor":
                assert anchors.written(mutation), mutation
        created = _version_and_values(entity, created_id)
        assert (created is not None) == (expected["create"] == "applied"), created
        after = _version_and_values(entity, subject)
        db.session.remove()
    assert after is not None
    assert after["deleted"] == (expected["delete"] == "applied")
    for name, value in forbidden.items():
        assert _same(after[name], before[name]) and not _same(after[name], value), name
    for name, value in edit.items():
        # The server stamps a conflict's resolution with its own clock.
        written = (
            after[name] is not None
            if (entity, name) == ("conflicts", "resolved_at")
            else _same(after[name], value)
        )
        assert written == (expected["edit"] == "applied"), (name, after)
    if "applied" not in (expected["edit"], expected["delete"]):
        assert after == before  # nothing of the subject changed, not even its version


def test_a_malformed_mutation_is_rejected_alone_and_the_good_ones_beside_it_are_applied(
    world: World,
) -> None:
    anchors = Anchors(world, "specialist")
    good = [anchors.mutation(n) for n in range(3)]
    contact = world.rec["A1"]["employer_contacts"]
    malformed: list[Any] = [
        {**anchors.mutation(9), "op": "patch"},
        {**anchors.mutation(9), "id": "not-a-uuid"},
        {**anchors.mutation(9), "base_version": "3"},
        {**anchors.mutation(9), "data": ["not", "an", "object"]},
        {**anchors.mutation(9), "entity": "x" * 51},
        {**anchors.mutation(9), "mutation_id": 7},
        "not even an object",
        _mutation("employer_contacts", "upsert", contact, {"purpose": "Ny"}, 2**40),
    ]
    batch = [good[0], *malformed[:4], good[1], *malformed[4:], good[2]]
    response = world.call(
        "js1",
        "POST",
        PUSH,
        json={"client_id": str(new_id()), "schema_version": 1, "mutations": batch},
    )
    world.dirty = True
    assert response.status_code == 200, response.json
    results = response.json["results"]
    assert len(results) == len(batch)
    statuses = [r["status"] for r in results]
    assert statuses == ["applied"] + ["rejected"] * 4 + ["applied"] + ["rejected"] * 4 + ["applied"]
    codes = [r.get("code") for r in results if r["status"] == "rejected"]
    assert codes == ["malformed_mutation"] * 7 + ["base_version_ahead"]
    assert set(results[1]["errors"]) == {"op"}
    assert set(results[2]["errors"]) == {"id"}
    assert set(results[3]["errors"]) == {"base_version"}
    assert set(results[4]["errors"]) == {"data"}
    # A mutation id that can be read is given back, so the app can match the answer.
    assert results[1]["mutation_id"] == batch[1]["mutation_id"]
    assert results[7]["mutation_id"] is None and results[8]["mutation_id"] is None
    with world.app.app_context():
        for mutation in good:
            assert anchors.written(mutation)
        stored = _version_and_values("employer_contacts", contact)
        db.session.remove()
    assert stored is not None and stored["purpose"] != "Ny"


@pytest.mark.parametrize(
    "body",
    [
        {"client_id": "nope", "schema_version": 1, "mutations": []},
        {"schema_version": 1, "mutations": []},
        {"client_id": str(uuid.uuid4()), "mutations": []},
        {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": {"a": 1}},
        {"client_id": str(uuid.uuid4()), "schema_version": 1},
    ],
)
def test_only_the_envelope_can_fail_a_whole_push(world: World, body: dict[str, Any]) -> None:
    response = world.call("js1", "POST", PUSH, json=body)
    assert response.status_code == 422, response.json
    assert response.json["code"] == "invalid"
