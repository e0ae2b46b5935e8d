"""Push: apply a device's outbox, mutation by mutation, exactly once each.

Each mutation runs in a savepoint of its own, so one refused mutation changes nothing and blocks
nothing. A mutation id already applied for this client returns its first result and writes
nothing. An edit made from an older version is merged field by field: fields only the client
changed are applied, fields only the server changed are kept, and a field both changed is decided
by the entity's rule, with the losing value kept as a conflict for a person to look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import marshmallow as ma
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from sync.feed import AnySession, ChangeFeed
from sync.pull import records_as_pulled
from sync.registry import CLIENT_WINS, SERVER_WINS, SET_WINS, Registry, Rejected, SyncEntity


class MutationSchema(ma.Schema):
    """One mutation; checked on its own, so a malformed one is rejected alone."""

    mutation_id = ma.fields.UUID(required=True)
    entity = ma.fields.String(required=True, validate=ma.validate.Length(max=50))
    op = ma.fields.String(required=True, validate=ma.validate.OneOf(("upsert", "delete")))
    id = ma.fields.UUID(required=True)
    base_version = ma.fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=ma.validate.Range(min=0, max=2**62),
    )
    data = ma.fields.Dict(keys=ma.fields.String(), load_default=dict)


class MutationList(ma.fields.List):
    """A list of mutations, documented as such but loaded as sent: only the envelope can fail
    the request, and each mutation is checked on its own in push(), so that a malformed one is
    rejected alone while the rest are applied."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(ma.fields.Nested(MutationSchema), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return list(value)


class PushSchema(ma.Schema):
    client_id = ma.fields.UUID(required=True)
    schema_version = ma.fields.Integer(
        required=True, strict=True, validate=ma.validate.Range(min=0, max=10_000)
    )
    mutations = MutationList(required=True, validate=ma.validate.Length(max=1000))


def _json_value(entity: SyncEntity, field: str, value: Any) -> Any:
    """A field's value as it travels on the wire (for conflict records)."""
    schema_field = entity.schema().fields.get(field)
    if schema_field is None or value is None:
        return value
    return schema_field._serialize(value, field, None)


def merge(
    entity: SyncEntity, record: Any, changes: dict[str, Any], base_version: int | None
) -> tuple[dict[str, Any], list[tuple[str, Any, Any]]]:
    """(changes to apply, conflicts as (field, kept value, other value)) against `record`."""
    base = base_version or 0
    field_versions = record.field_versions or {}
    apply: dict[str, Any] = {}
    conflicts: list[tuple[str, Any, Any]] = []
    for field, client_value in changes.items():
        server_value = getattr(record, field)
        server_moved = field_versions.get(field, 0) > base
        if not server_moved or server_value == client_value:
            apply[field] = client_value
            continue
        rule = entity.merge.get(field, CLIENT_WINS)
        if rule == SET_WINS:
            rule = SERVER_WINS if client_value is None else CLIENT_WINS
        if rule == SERVER_WINS:
            conflicts.append((field, server_value, client_value))
        else:
            apply[field] = client_value
            conflicts.append((field, client_value, server_value))
    return apply, conflicts


MALFORMED = "This mutation is malformed; see 'errors'. The app that sent it needs an update."
_M = "malformed_mutation"


def parse_mutation(raw: Any) -> dict[str, Any] | Rejected:
    """The mutation as the engine uses it, or why it cannot be read."""
    if not isinstance(raw, dict):
        return Rejected(MALFORMED, {"_schema": ["A mutation is a JSON object."]}, 400, code=_M)
    try:
        return dict(MutationSchema().load(raw))
    except ma.ValidationError as error:
        return Rejected(MALFORMED, error.normalized_messages(), 400, code=_M)


def _raw_mutation_id(raw: Any) -> str | None:
    """The id a malformed mutation was sent with, if it is one (the app matches results by it)."""
    value = raw.get("mutation_id") if isinstance(raw, dict) else None
    try:
        return str(uuid.UUID(value)) if isinstance(value, str) else None
    except ValueError:
        return None


# For an edit or delete of a record the user's devices were told to drop.
NO_LONGER_YOURS = (
    "You can no longer see this record (it moved to another caseload or team, or your access "
    "to it ended), so your change was not applied."
)


def _apply_one(
    registry: Registry,
    principal: Any,
    mutation: dict[str, Any],
    gone: frozenset[tuple[str, uuid.UUID]] = frozenset(),
) -> dict[str, Any]:
    entity = registry.by_name.get(mutation["entity"])
    if entity is None:
        raise Rejected(
            f"Unknown entity {mutation['entity']!r}; this app version may be too new "
            "or too old for the server.",
            code="unknown_entity",
        )
    writer = registry.writer
    record = writer.find(principal, entity.name, mutation["id"])
    if record is None and (entity.name, mutation["id"]) in gone:
        raise Rejected(NO_LONGER_YOURS, status=403, code="no_longer_visible")
    base = mutation["base_version"]
    if record is not None:
        _refuse_base_ahead(record, base)
    if record is None and (mutation["op"] == "delete" or base is not None):
        # An edit or delete of a record the user cannot find: the same answer whether it
        # does not exist or is not theirs to see.
        verb = "delete" if mutation["op"] == "delete" else "change"
        raise Rejected(
            f"There is no such record that you can {verb}; it may have been deleted, or you "
            "no longer have access to it.",
            status=404,
            code="not_found",
        )
    if mutation["op"] == "delete":
        assert record is not None  # a delete of nothing was refused above
        if record.deleted_at is None:
            writer.delete(principal, entity.name, record)
        return {"status": "applied", "version": record.version}

    if record is None:
        data = _load(entity, mutation["data"], partial=False)
        created = writer.create(principal, entity.name, {**data, "id": mutation["id"]})
        return {"status": "applied", "version": created.version}
    changes, conflicts = _edit(entity, record, mutation)
    if changes:
        writer.update(principal, entity.name, record, changes)
    _record_conflicts(registry, principal, entity, record, conflicts)
    return _edit_result(record, conflicts)


def _refuse_base_ahead(record: Any, base: int | None) -> None:
    if base is not None and base > (record.version or 0):
        # Versions only grow on the server: a base it never issued would merge as if nothing
        # had moved, and no conflict could ever be found.
        raise Rejected(
            f"Your copy says version {base}, but the server has only reached version "
            f"{record.version} of this record; sync to fetch the server's copy, then make "
            "the change again.",
            status=409,
            code="base_version_ahead",
        )


def _load(entity: SyncEntity, data: dict[str, Any], partial: bool) -> dict[str, Any]:
    """The mutation's data as the entity's schema loads it (without `id`)."""
    try:
        loaded = dict(entity.schema().load(data, partial=partial))
    except ma.ValidationError as error:
        raise Rejected(
            "Some fields are not valid; see 'errors' for what to fix.", error.normalized_messages()
        ) from error
    loaded.pop("id", None)
    return loaded


def _edit(
    entity: SyncEntity, record: Any, mutation: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, Any, Any]]]:
    """What an upsert of an existing record changes, merged against it; Rejected if it can't."""
    data = _load(entity, mutation["data"], partial=True)
    if record.deleted_at is not None:
        raise Rejected(
            "This record was deleted on another device; your change was not applied.",
            status=409,
            code="deleted_elsewhere",
        )
    return merge(entity, record, data, mutation["base_version"])


def _record_conflicts(
    registry: Registry,
    principal: Any,
    entity: SyncEntity,
    record: Any,
    conflicts: list[tuple[str, Any, Any]],
) -> None:
    for field, kept, other in conflicts:
        registry.writer.record_conflict(
            principal,
            entity.name,
            record,
            field,
            _json_value(entity, field, kept),
            _json_value(entity, field, other),
        )


def _edit_result(record: Any, conflicts: list[tuple[str, Any, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "status": "merged" if conflicts else "applied",
        "version": record.version,
    }
    if conflicts:
        result["conflicts"] = [field for field, _, _ in conflicts]
    return result


def push(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    principal: Any,
    client_id: uuid.UUID,
    mutations: list[Any],
) -> list[dict[str, Any]]:
    """Apply `mutations` (as sent: each is checked here) in order; the caller commits. Returns
    one result per mutation, in the order sent: a malformed one is rejected on its own.

    First-time creations of one entity go to the application together, when it can take them
    together: consecutive ones, and for append-only entities also ones further on, past
    creations of other append-only entities they do not refer to (an outbox alternates contacts
    and meetings). If such a batch fails as a whole, its mutations are applied one by one.
    """
    parsed = [parse_mutation(raw) for raw in mutations]
    wellformed = [m for m in parsed if not isinstance(m, Rejected)]
    applied = iter(_push_wellformed(session, registry, feed, principal, client_id, wellformed))
    return [
        _rejection(_raw_mutation_id(raw), m) if isinstance(m, Rejected) else next(applied)
        for raw, m in zip(mutations, parsed, strict=True)
    ]


def push_and_commit(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    principal: Any,
    client_id: uuid.UUID,
    mutations: list[Any],
    attempts: int = 3,
) -> list[dict[str, Any]]:
    """push() and commit. A push that loses to another transaction at the commit (a deadlock
    between two pushes' row locks, found only when the feed stamps its rows) is rolled back and
    applied again from the start: nothing of it was written, and mutation ids keep it exactly
    once."""
    for attempt in range(attempts):
        try:
            results = push(session, registry, feed, principal, client_id, mutations)
            session.commit()
            return results
        except OperationalError as error:
            session.rollback()
            if attempt + 1 == attempts:
                raise
            _raise_unless_transient(error)
    raise AssertionError("unreachable")


def attach_records(
    session: AnySession,
    registry: Registry,
    principal: Any,
    mutations: list[Any],
    results: list[dict[str, Any]],
) -> None:
    """Give each result that wrote a record (applied, merged, or a duplicate of one) `data`: the
    record as a pull would send it, if it is still at the result's version. A device that stores
    it has nothing to write when the next pull brings the same record back. Read after the
    commit; nothing is written."""
    written: list[tuple[dict[str, Any], str, uuid.UUID]] = []
    for raw, result in zip(mutations, results, strict=True):
        status = result.get("original_status") or result.get("status")
        if status not in ("applied", "merged") or not isinstance(raw, dict):
            continue
        if raw.get("op") != "upsert" or not isinstance(result.get("version"), int):
            continue
        try:
            written.append((result, str(raw["entity"]), uuid.UUID(str(raw["id"]))))
        except (KeyError, ValueError):
            continue
    if not written:
        return
    wanted: dict[str, set[uuid.UUID]] = {}
    for _, entity, record_id in written:
        wanted.setdefault(entity, set()).add(record_id)
    found = records_as_pulled(session, registry, principal, wanted)
    for result, entity, record_id in written:
        version, data = found.get((entity, record_id), (None, None))
        if version == result["version"]:
            result["data"] = data


def _push_wellformed(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    principal: Any,
    client_id: uuid.UUID,
    mutations: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    _one_push_per_client(session, client_id)
    table = feed.mutations
    earlier = _earlier_results(session, table, client_id, [m["mutation_id"] for m in mutations])
    new_records = _new_records(registry, principal, mutations)
    gone = _evicted(session, registry, feed, principal, mutations, new_records)
    new_records -= gone  # edits of records taken away, not creations
    done: set[tuple[str, uuid.UUID]] = set()  # records this push has already written
    results: list[dict[str, Any] | None] = [None] * len(mutations)
    for position, mutation in enumerate(mutations):
        if results[position] is not None:
            continue  # went with an earlier batch of creations
        # First-time creations of one entity together, else edits of one entity's records.
        run = _creation_run(registry, mutations, position, earlier, new_records, done, results)
        batch = _together(session, registry, principal, client_id, table, mutations, run)
        if batch is None:
            run = _edit_run(registry, mutations, position, earlier, new_records, gone)
            batch = _together(session, registry, principal, client_id, table, mutations, run)
        if batch is None:
            run = [position]
            batch = [
                earlier.get(mutation["mutation_id"])
                or _apply_single(session, registry, principal, client_id, table, mutation, gone)
            ]
        for index, result in zip(run, batch, strict=True):
            results[index] = result
            done.add((mutations[index]["entity"], mutations[index]["id"]))
    return [result for result in results if result is not None]


def _together(
    session: AnySession,
    registry: Registry,
    principal: Any,
    client_id: uuid.UUID,
    table: Any,
    mutations: list[dict[str, Any]],
    run: list[int],
) -> list[dict[str, Any]] | None:
    """The answers to a run of creations or of edits written together; None for a run of one,
    or one the batch could not take (it then goes one mutation at a time)."""
    if len(run) < 2:
        return None
    together = [mutations[i] for i in run]
    first = together[0]
    creating = first["base_version"] is None and first["op"] == "upsert"
    apply = _apply_creations if creating else _apply_edits
    return apply(session, registry, principal, client_id, table, together)


# A class of PostgreSQL advisory locks of its own ("sync"), so that other users of advisory
# locks cannot collide with this one; the second key is the client's.
_PUSH_LOCK_CLASS = 0x73796E63


def _one_push_per_client(session: AnySession, client_id: uuid.UUID) -> None:
    """Make a second push from the same device wait until the first has committed.

    A phone whose request timed out while the server was still applying it sends the same batch
    again; without the wait, the second push looks for earlier results before the first has
    committed them, and then finds the records the first one created. With it, the second finds
    the first's results and answers `duplicate`. (SQLite runs one writer at a time anyway.)
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = (client_id.int & 0xFFFFFFFF) - (1 << 31)  # an int4
    session.execute(
        text("SELECT pg_advisory_xact_lock(:class_, :key)"),
        {"class_": _PUSH_LOCK_CLASS, "key": key},
    )


def _earlier_results(
    session: AnySession, table: Any, client_id: uuid.UUID, mutation_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """First results of mutations this client sent before, as `duplicate` answers."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for start in range(0, len(mutation_ids), 500):
        rows = session.execute(
            select(table.c.mutation_id, table.c.result).where(
                table.c.client_id == client_id,
                table.c.mutation_id.in_(mutation_ids[start : start + 500]),
            )
        )
        for mutation_id, result in rows:
            if result:
                found[mutation_id] = {
                    **result,
                    "mutation_id": str(mutation_id),
                    "status": "duplicate",
                    "original_status": result["status"],
                }
    return found


def _new_records(
    registry: Registry, principal: Any, mutations: list[dict[str, Any]]
) -> set[tuple[str, uuid.UUID]]:
    """(entity, id) of upserts naming a record the user cannot find: candidates to create."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for m in mutations:
        if m["op"] == "upsert" and m["entity"] in registry.by_name:
            wanted.setdefault(m["entity"], set()).add(m["id"])
    new: set[tuple[str, uuid.UUID]] = set()
    for entity, ids in wanted.items():
        existing = registry.writer.find_many(principal, entity, ids)
        new.update((entity, i) for i in ids - existing)
    return new


def _evicted(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    principal: Any,
    mutations: list[dict[str, Any]],
    new_records: set[tuple[str, uuid.UUID]],
) -> frozenset[tuple[str, uuid.UUID]]:
    """(entity, id) of the records this push edits or deletes that the user cannot find and
    whose eviction their devices were sent: those get a rejection that says so. (Without an
    eviction, the answer must not tell whether such a record exists.)"""
    targets = {
        (m["entity"], m["id"])
        for m in mutations
        if m["op"] == "delete"
        or (m["base_version"] is not None and (m["entity"], m["id"]) in new_records)
    }
    if not targets:
        return frozenset()
    ev = feed.evictions.c
    found: set[tuple[str, uuid.UUID]] = set()
    ids = list({record_id for _, record_id in targets})
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(ev.entity, ev.record_id)
            .where(
                ev.user_id == registry.principal_id(principal),
                ev.record_id.in_(ids[start : start + 500]),
            )
            .distinct()
        )
        found.update((entity, record_id) for entity, record_id in rows)
    return frozenset(found & targets)


def _creation_run(
    registry: Registry,
    mutations: list[dict[str, Any]],
    start: int,
    earlier: dict[uuid.UUID, dict[str, Any]],
    new_records: set[tuple[str, uuid.UUID]],
    done: set[tuple[str, uuid.UUID]],
    handled: list[Any],
) -> list[int]:
    """Positions of first-time creations of one entity to write together, from `start` on.

    Consecutive ones; for an append-only entity, also later ones past first-time creations of
    other append-only entities, unless they refer to a record one of those creates: such
    records are leaves that no rule of another creation looks at, so their order is free.
    """

    def first_time(m: dict[str, Any]) -> bool:
        key = (m["entity"], m["id"])
        return (
            m["op"] == "upsert"
            and m["base_version"] is None
            and m["mutation_id"] not in earlier
            and key in new_records
            and key not in done
        )

    entity = mutations[start]["entity"]
    append_only = entity in registry.by_name and registry.by_name[entity].append_only
    run: list[int] = []
    keys: set[tuple[str, uuid.UUID]] = set()
    mutation_ids: set[uuid.UUID] = set()
    passed: set[str] = set()  # ids of records created by creations this run went past
    passed_ids: set[uuid.UUID] = set()  # their mutation ids
    for index in range(start, len(mutations)):
        if handled[index] is not None:
            continue
        m = mutations[index]
        key = (m["entity"], m["id"])
        if not first_time(m) or key in keys or m["mutation_id"] in mutation_ids:
            break
        if m["entity"] == entity and m["mutation_id"] not in passed_ids:
            if passed and not passed.isdisjoint(_strings(m["data"])):
                break
            run.append(index)
            keys.add(key)
            mutation_ids.add(m["mutation_id"])
            continue
        other = registry.by_name.get(m["entity"])
        if not (append_only and other is not None and other.append_only):
            break
        passed.add(str(m["id"]).lower())
        passed_ids.add(m["mutation_id"])
    return run


def _edit_run(
    registry: Registry,
    mutations: list[dict[str, Any]],
    start: int,
    earlier: dict[uuid.UUID, dict[str, Any]],
    new_records: set[tuple[str, uuid.UUID]],
    gone: frozenset[tuple[str, uuid.UUID]],
) -> list[int]:
    """Positions of consecutive edits of one entity's records, from `start` on, to write
    together: upserts from a known version of records the user can find, each record once."""

    def edit(m: dict[str, Any]) -> bool:
        key = (m["entity"], m["id"])
        return (
            m["op"] == "upsert"
            and m["base_version"] is not None
            and m["entity"] in registry.by_name
            and m["mutation_id"] not in earlier
            and key not in new_records
            and key not in gone
        )

    entity = mutations[start]["entity"]
    run: list[int] = []
    ids: set[uuid.UUID] = set()
    mutation_ids: set[uuid.UUID] = set()
    for index in range(start, len(mutations)):
        m = mutations[index]
        if (
            not edit(m)
            or m["entity"] != entity
            or m["id"] in ids
            or m["mutation_id"] in mutation_ids
        ):
            break
        run.append(index)
        ids.add(m["id"])
        mutation_ids.add(m["mutation_id"])
    return run


class _OneByOne(Exception):  # noqa: N818 - a decision, not an accident
    """A batch the engine hands back to be applied one mutation at a time."""


def _apply_edits(
    session: AnySession,
    registry: Registry,
    principal: Any,
    client_id: uuid.UUID,
    table: Any,
    run: list[dict[str, Any]],
) -> list[dict[str, Any]] | None:
    """Apply a run of edits of one entity's records together: the records locked in one
    query, merged one by one as a single edit would be, written in one flush. None if the run
    needs the single path (a record not found, the application refusing one of them, a lost
    race): then nothing of it was written."""
    entity = registry.by_name[run[0]["entity"]]
    writer = registry.writer

    def write() -> list[dict[str, Any] | None]:
        records = writer.lock_many(principal, entity.name, {m["id"] for m in run})
        results: list[dict[str, Any] | None] = [None] * len(run)
        edits: list[tuple[int, Any, dict[str, Any], list[tuple[str, Any, Any]]]] = []
        for index, mutation in enumerate(run):
            record = records.get(mutation["id"])
            if record is None:
                raise _OneByOne
            try:
                _refuse_base_ahead(record, mutation["base_version"])
                changes, conflicts = _edit(entity, record, mutation)
            except Rejected as refusal:
                results[index] = _rejection(mutation["mutation_id"], refusal)
                continue
            edits.append((index, record, changes, conflicts))
        items = [(record, changes) for _, record, changes, _ in edits]
        outcomes = writer.update_many(principal, entity.name, items) if items else []
        if any(isinstance(outcome, Rejected) for outcome in outcomes):
            raise _OneByOne
        for _, record, _, conflicts in edits:
            _record_conflicts(registry, principal, entity, record, conflicts)
        session.flush()
        for index, record, _, conflicts in edits:
            mutation_id = str(run[index]["mutation_id"])
            results[index] = {"mutation_id": mutation_id, **_edit_result(record, conflicts)}
        return results

    return _write_batch(session, registry, principal, client_id, table, run, write)


def _strings(value: Any) -> set[str]:
    """Every string in a mutation's data, lower-cased (ids are compared as text)."""
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value))
    return set()


def _rejection(mutation_id: uuid.UUID | str | None, refusal: Rejected) -> dict[str, Any]:
    rejected: dict[str, Any] = {
        "mutation_id": str(mutation_id) if mutation_id is not None else None,
        "status": "rejected",
        "code": refusal.code,
        "detail": refusal.detail,
    }
    if refusal.errors:
        rejected["errors"] = refusal.errors
    if refusal.retry:
        rejected["retry"] = True  # not the user's to fix: the app sends it again later
    return rejected


# SQLSTATEs of a transaction that lost to another one and may simply try again: deadlock
# detected, serialization failure, lock not available.
TRANSIENT_STATES = frozenset({"40P01", "40001", "55P03"})


def is_transient(error: BaseException) -> bool:
    """A database error that only says another transaction got in the way."""
    return isinstance(error, OperationalError) and (
        getattr(error.orig, "sqlstate", None) in TRANSIENT_STATES
    )


def _raise_unless_transient(error: Exception) -> None:
    """A database error other than losing to another transaction is not ours to handle."""
    if isinstance(error, OperationalError) and not is_transient(error):
        raise error


def _apply_creations(
    session: AnySession,
    registry: Registry,
    principal: Any,
    client_id: uuid.UUID,
    table: Any,
    run: list[dict[str, Any]],
) -> list[dict[str, Any]] | None:
    """Create a run of new records together; None if the application can't, or the batch
    failed as a whole (then nothing of it was written)."""
    entity = registry.by_name[run[0]["entity"]]

    def write() -> list[dict[str, Any] | None]:
        results: list[dict[str, Any] | None] = [None] * len(run)
        items: list[tuple[int, dict[str, Any]]] = []
        for index, mutation in enumerate(run):
            try:
                data = _load(entity, mutation["data"], partial=False)
            except Rejected as refusal:
                results[index] = _rejection(mutation["mutation_id"], refusal)
                continue
            items.append((index, {**data, "id": mutation["id"]}))
        creations = [data for _, data in items]
        outcomes = registry.writer.create_many(principal, entity.name, creations) if items else []
        for (index, _), outcome in zip(items, outcomes, strict=True):
            mutation_id = run[index]["mutation_id"]
            if isinstance(outcome, Rejected):
                results[index] = _rejection(mutation_id, outcome)
            else:
                applied = {"status": "applied", "version": outcome.version}
                results[index] = {"mutation_id": str(mutation_id), **applied}
        return results

    return _write_batch(session, registry, principal, client_id, table, run, write)


def _write_batch(
    session: AnySession,
    registry: Registry,
    principal: Any,
    client_id: uuid.UUID,
    table: Any,
    run: list[dict[str, Any]],
    write: Callable[[], list[dict[str, Any] | None]],
) -> list[dict[str, Any]] | None:
    """Answer a run of mutations with `write` in a savepoint of its own, and log the answers
    that wrote something (a refusal is not logged: it may be sent again). None if the run has
    to go one mutation at a time: then nothing of it was written."""
    savepoint = session.begin_nested()
    try:
        answered = write()
        results = [result for result in answered if result is not None]
        assert len(results) == len(run), "every mutation of a batch is answered"
        log = [
            {
                "client_id": client_id,
                "mutation_id": mutation["mutation_id"],
                "user_id": registry.principal_id(principal),
                "result": result,
            }
            for mutation, result in zip(run, results, strict=True)
            if result["status"] != "rejected"
        ]
        if log:
            session.execute(insert(table), log)
    except (_OneByOne, Rejected, IntegrityError, OperationalError, StaleDataError) as error:
        _raise_unless_transient(error)
        savepoint.rollback()
        return None
    savepoint.commit()
    return results


def _apply_single(
    session: AnySession,
    registry: Registry,
    principal: Any,
    client_id: uuid.UUID,
    table: Any,
    mutation: dict[str, Any],
    gone: frozenset[tuple[str, uuid.UUID]] = frozenset(),
) -> dict[str, Any]:
    """Apply one mutation; one that lost a race with another transaction is tried once more
    against the row as that transaction left it (and merged against it)."""
    result = _attempt_single(session, registry, principal, client_id, table, mutation, gone)
    if result is None:
        result = _attempt_single(
            session, registry, principal, client_id, table, mutation, gone, last=True
        )
    assert result is not None
    return result


def _attempt_single(
    session: AnySession,
    registry: Registry,
    principal: Any,
    client_id: uuid.UUID,
    table: Any,
    mutation: dict[str, Any],
    gone: frozenset[tuple[str, uuid.UUID]] = frozenset(),
    last: bool = False,
) -> dict[str, Any] | None:
    mutation_id = mutation["mutation_id"]
    savepoint = session.begin_nested()
    try:
        # Claim the id first: a concurrent push of the same mutation waits here for this
        # one's commit, then fails the claim and reports the first result.
        session.execute(
            insert(table).values(
                client_id=client_id,
                mutation_id=mutation_id,
                user_id=registry.principal_id(principal),
                result={},
            )
        )
    except IntegrityError:
        savepoint.rollback()
        return _earlier_results(session, table, client_id, [mutation_id]).get(
            mutation_id
        ) or _rejection(
            mutation_id,
            Rejected("This mutation is being applied by another request.", status=409, retry=True),
        )
    try:
        outcome = _apply_one(registry, principal, mutation, gone)
        session.flush()
    except (StaleDataError, OperationalError) as error:
        _raise_unless_transient(error)
        savepoint.rollback()
        if not last:
            return None
        return _rejection(
            mutation_id,
            Rejected(
                "The record kept changing while this was saved; it will be sent again.",
                status=409,
                retry=True,
            ),
        )
    except Rejected as refusal:
        savepoint.rollback()
        if refusal.retry and not last:
            return None
        return _rejection(mutation_id, refusal)
    except IntegrityError:
        # A rule of the database the application's checks did not foresee: this mutation
        # only, like any other refusal.
        savepoint.rollback()
        return _rejection(
            mutation_id,
            Rejected(
                "The change breaks a rule of the database (a value that must be unique, or a "
                "record it refers to); check its fields.",
                status=409,
                code="constraint",
            ),
        )
    outcome = {"mutation_id": str(mutation_id), **outcome}
    session.execute(
        update(table)
        .where(table.c.client_id == client_id, table.c.mutation_id == mutation_id)
        .values(result=outcome)
    )
    savepoint.commit()
    return outcome
