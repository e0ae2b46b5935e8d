"""Pull: the changes a user may see since their cursor, in feed order, a page at a time."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    and_,
    bindparam,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from sync.cursor import Position
from sync.feed import RESET, AnySession, ChangeFeed
from sync.registry import Registry

SortKey = tuple[int, int, int]  # (seq, entity index, id as an integer)


@dataclass
class PullResult:
    changes: list[dict[str, Any]]
    cursor: str
    has_more: bool
    reset: bool  # the client must drop what it has and take these changes as the whole truth
    # Only on the first page of a first sync (or a reset): how many records the sync hands out.
    total: int | None = None


# The statements are built once per cursor shape and run with bind parameters: building a
# SQLAlchemy statement costs more CPU than PostgreSQL spends answering it.
AFTER_SEQ = "after_seq"
AFTER_ID = "after_id"
HIGH_WATER = "high_water"
USER_ID = "user_id"


def _after(seq_col: Any, id_col: Any, index: int, entity: int, has_id: bool) -> Any:
    """Rows at entity `index` that come after a cursor at (after_seq, `entity`, after_id) in
    (seq, entity, id) order; `has_id` says whether the cursor names an id."""
    after_seq = bindparam(AFTER_SEQ, type_=BigInteger())
    if index < entity or (index == entity and not has_id):
        return seq_col > after_seq
    if index > entity:
        return seq_col >= after_seq
    after_id = bindparam(AFTER_ID, type_=id_col.type)
    return or_(seq_col > after_seq, and_(seq_col == after_seq, id_col > after_id))


def _params(cursor: Position, high_water: int, user_id: Any, evictions: int) -> dict[str, Any]:
    params: dict[str, Any] = {HIGH_WATER: high_water, USER_ID: user_id, AFTER_SEQ: cursor.seq}
    if cursor.id is not None:
        # The evictions' ids are integers; an entity's are UUIDs.
        params[AFTER_ID] = cursor.id.int if cursor.entity == evictions else cursor.id
    return params


def _shape_of(cursor: Position) -> tuple[int, bool]:
    """What a statement's form depends on: the cursor's entity, and whether it names an id."""
    return (cursor.entity, cursor.id is not None)


def _entity_query(registry: Registry, index: int, shape: tuple[int, bool]) -> Select[Any]:
    """An entity's rows in feed order after the cursor, up to the high-water mark (its scope
    is added by the caller: it is the principal's)."""
    key = ("rows", index, shape)
    query = registry.statements.get(key)
    if query is None:
        model = registry.entities[index].model
        query = registry.statements[key] = (
            select(*_columns(model))
            .where(
                model.seq <= bindparam(HIGH_WATER, type_=BigInteger()),
                _after(model.seq, model.id, index, *shape),
                # deleted before this device's full sync began: never held
                or_(model.deleted_at.is_(None), model.seq > bindparam("base", type_=BigInteger())),
            )
            .order_by(model.seq, model.id)
        )
    return query


def _columns(model: Any) -> list[Any]:
    # Plain rows, not ORM objects: a first sync reads thousands, and the identity map and
    # instance state would cost more than the query. (field_versions is for merging.)
    return [column for column in model.__table__.c if column.key != "field_versions"]


def records_as_pulled(
    session: AnySession,
    registry: Registry,
    principal: Any,
    wanted: Mapping[str, Collection[uuid.UUID]],
) -> dict[tuple[str, uuid.UUID], tuple[int, dict[str, Any]]]:
    """The live records named, as a pull would send them now: (version, data) by (entity, id).
    Records the principal may not see, deleted ones and unknown entities are left out."""
    found: dict[tuple[str, uuid.UUID], tuple[int, dict[str, Any]]] = {}
    for name, record_ids in wanted.items():
        entity = registry.by_name.get(name)
        scope = entity.scope(principal) if entity is not None else None
        if entity is None or scope is None:
            continue
        model = entity.model
        ids = list(record_ids)
        for start in range(0, len(ids), 500):
            rows = list(
                session.execute(
                    select(*_columns(model)).where(
                        model.id.in_(ids[start : start + 500]), model.deleted_at.is_(None), scope
                    )
                )
            )
            for row, data in zip(rows, entity.dump(principal, rows), strict=True):
                found[(name, row.id)] = (row.version, data)
    return found


def _first_sync_query(registry: Registry, index: int, resume: bool) -> Select[Any]:
    """An entity's live rows as they were at the start of a first sync, in (seq, id) order,
    from the start or after (after_seq, after_id)."""
    key = ("first sync", index, resume)
    query = registry.statements.get(key)
    if query is None:
        model = registry.entities[index].model
        query = select(*_columns(model)).where(*_first_sync_filter(model))
        if resume:
            query = query.where(_after(model.seq, model.id, index, index, True))
        query = registry.statements[key] = query.order_by(model.seq, model.id)
    return query


def _first_sync_filter(model: Any) -> list[Any]:
    """The rows a first sync hands out, before scope: live as of `base`."""
    return [
        model.seq <= bindparam("base", type_=BigInteger()),
        model.deleted_at.is_(None),  # a new device needs no tombstones
    ]


def _first_sync_total(session: AnySession, registry: Registry, principal: Any, base: int) -> int:
    """How many records a first sync from `base` hands out: one statement, a COUNT per entity
    the principal may see, under the same conditions as the pages."""
    parts: list[Select[Any]] = []
    for index, entity in enumerate(registry.entities):
        scope = entity.scope(principal)
        if scope is None:
            continue
        key = ("first sync count", index)
        query = registry.statements.get(key)
        if query is None:
            model = entity.model
            query = registry.statements[key] = (
                select(func.count()).select_from(model).where(*_first_sync_filter(model))
            )
        parts.append(query.where(scope))
    if not parts:
        return 0
    statement = parts[0] if len(parts) == 1 else union_all(*parts)
    return sum(session.scalars(statement, {"base": base}))


def _first_sync_page(
    session: AnySession,
    registry: Registry,
    principal: Any,
    cursor: Position | None,
    high_water: int,
    reset: bool,
    limit: int,
) -> PullResult:
    """A page of a device's first sync: what it may see as it was at the first page's
    high-water mark (`base`), one entity after another in the registry's order, each in (seq,
    id) order. A page reads only rows it sends (and one more, to know whether there are more),
    where the feed's order would read up to a page of every entity to keep one. What changed
    after `base` follows in feed order, as in any later pull."""
    base = high_water if cursor is None else cursor.base
    start = 0 if cursor is None else cursor.entity
    page: list[tuple[SortKey, Any]] = []
    position: Position | None = None
    for index in range(start, len(registry.entities)):
        room = limit - len(page)
        if room == 0:
            position = Position(base, index, None, base, first_sync=True)
            break
        scope = registry.entities[index].scope(principal)
        if scope is None:
            continue
        resume = cursor is not None and index == cursor.entity and cursor.id is not None
        params: dict[str, Any] = {"base": base}
        if resume:
            assert cursor is not None
            params.update({AFTER_SEQ: cursor.seq, AFTER_ID: cursor.id})
        query = _first_sync_query(registry, index, resume).where(scope).limit(room + 1)
        rows = session.execute(query, params).all()
        page.extend(((row.seq, index, row.id.int), row) for row in rows[:room])
        if len(rows) > room:
            last = rows[room - 1]
            position = Position(last.seq, index, last.id, base, first_sync=True)
            break
    changes = _changes(registry, principal, page)
    total = None
    if cursor is None:  # the first page; one that holds everything needs no count
        fits = position is None
        total = len(changes) if fits else _first_sync_total(session, registry, principal, base)
    if position is not None:
        return PullResult(changes, position.encode(), True, reset, total)
    # Everything up to `base` has been handed out; what was committed since follows at once.
    done = Position(base, len(registry.entities) + 1, None, base)
    return PullResult(changes, done.encode(), high_water > base, reset, total)


def _evictions_query(registry: Registry, feed: ChangeFeed, shape: tuple[int, bool]) -> Select[Any]:
    """The user's evictions after the cursor; they sort after every entity of the same number,
    by their own integer id."""
    key = ("evictions", shape)
    query = registry.statements.get(key)
    if query is None:
        ev = feed.evictions.c
        query = registry.statements[key] = (
            select(ev.id, ev.seq, ev.entity, ev.record_id)
            .where(
                ev.user_id == bindparam(USER_ID, type_=ev.user_id.type),
                ev.seq <= bindparam(HIGH_WATER, type_=BigInteger()),
                ev.entity != RESET,
                _after(ev.seq, ev.id, len(registry.entities), *shape),
            )
            .order_by(ev.seq, ev.id)
        )
    return query


def pull(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    principal: Any,
    cursor: Position | None,
    limit: int,
) -> PullResult:
    user_id = registry.principal_id(principal)
    held = max(cursor.seq, cursor.base) if cursor is not None else None
    # Whether anything the user may see moved is known for a cursor that had everything.
    finished = cursor is not None and cursor.entity > len(registry.entities)
    high_water, purged, told_to_reset, moved = feed.pull_state(
        session, user_id, held, registry.partition_of(principal) if finished else None
    )
    # Start again from nothing when tombstones the cursor would need are gone, or when the
    # user's devices were told to.
    reset = held is not None and (held < purged or told_to_reset)
    if reset:
        cursor = None  # start again from nothing
    elif cursor is not None and cursor.seq >= high_water and cursor.entity > len(registry.entities):
        return PullResult([], cursor.encode(), False, False)  # nothing committed since
    if finished and not moved and not reset:
        # Nothing of the user's partition was stamped since the cursor, and nothing evicted:
        # they have everything up to the high-water mark.
        done = Position(high_water, len(registry.entities) + 1, None, high_water)
        return PullResult([], done.encode(), False, False)
    if cursor is None or cursor.first_sync:
        return _first_sync_page(session, registry, principal, cursor, high_water, reset, limit)
    base = cursor.base
    evictions = len(registry.entities)  # the evictions' place in the sort order
    shape = _shape_of(cursor)
    params = _params(cursor, high_water, user_id, evictions)
    params["base"] = base
    # (sort key, a row of an entity's columns, or an eviction's change)
    candidates: list[tuple[SortKey, Any]] = []
    changed = _changed_since(session, registry, feed, shape, params)

    for index, entity in enumerate(registry.entities):
        scope = entity.scope(principal) if index in changed else None
        if scope is None:
            continue
        query = _entity_query(registry, index, shape).where(scope).limit(limit + 1)
        for row in session.execute(query, params):
            candidates.append(((row.seq, index, row.id.int), row))

    if evictions in changed:
        query = _evictions_query(registry, feed, shape).limit(limit + 1)
        for row in session.execute(query, params):
            candidates.append(
                (
                    (row.seq, evictions, row.id),
                    {
                        "entity": row.entity,
                        "id": str(row.record_id),
                        "op": "evict",
                        "version": None,
                        "data": None,
                    },
                )
            )

    candidates.sort(key=lambda c: c[0])
    page = candidates[:limit]
    changes = _changes(registry, principal, page)
    has_more = len(candidates) > limit
    if has_more:
        seq, index, id_int = page[-1][0]
        position = Position(seq, index, uuid.UUID(int=id_int), base)
    else:  # everything up to the high-water mark has been handed out
        position = Position(high_water, len(registry.entities) + 1, None, high_water)
    return PullResult(changes, position.encode(), has_more, reset)


def _changed_since(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    shape: tuple[int, bool],
    params: dict[str, Any],
) -> set[int]:
    """Which entities, and the user's evictions (as index len(entities)), have anything numbered
    after the cursor: one statement, each part answered from a `seq` index without looking at
    scope. Most incremental pulls find changes in one or two tables of many, and the scope
    queries, which cost the most, then run only for those."""
    key = ("changed", shape)
    query = registry.statements.get(key)
    if query is None:
        high_water = bindparam(HIGH_WATER, type_=BigInteger())
        parts: list[Select[Any]] = []
        for index, entity in enumerate(registry.entities):
            model = entity.model
            found = exists().where(
                _after(model.seq, model.id, index, *shape), model.seq <= high_water
            )
            parts.append(select(literal_column(str(index))).where(found))
        ev = feed.evictions.c
        found = exists().where(
            ev.user_id == bindparam(USER_ID, type_=ev.user_id.type),
            _after(ev.seq, ev.id, len(registry.entities), *shape),
            ev.seq <= high_water,
        )
        parts.append(select(literal_column(str(len(registry.entities)))).where(found))
        query = registry.statements[key] = union_all(*parts)
    return {int(i) for i in session.scalars(query, params)}


def _changes(
    registry: Registry, principal: Any, page: list[tuple[SortKey, Any]]
) -> list[dict[str, Any]]:
    """The page as changes, in order; only the rows that made the page are serialised."""
    live: dict[int, list[Any]] = {}
    for (_, index, _), row in page:
        if index < len(registry.entities) and row.deleted_at is None:
            live.setdefault(index, []).append(row)
    dumped = {
        index: iter(registry.entities[index].dump(principal, rows)) for index, rows in live.items()
    }
    changes = []
    for (_, index, _), row in page:
        if index == len(registry.entities):
            changes.append(row)  # an eviction, made up above
            continue
        deleted = row.deleted_at is not None
        changes.append(
            {
                "entity": registry.entities[index].name,
                "id": str(row.id),
                "op": "delete" if deleted else "upsert",
                "version": row.version,
                "data": None if deleted else next(dumped[index]),
            }
        )
    return changes
