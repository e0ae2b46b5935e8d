"""Pull: the changes a user may see since their cursor, in feed order, a page at a time."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, literal_column, or_, select, union_all

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


def _after(seq_col: Any, id_col: Any, index: int, after: Position, after_id: Any) -> Any:
    """Rows at entity `index` that come after `after` in (seq, entity, id) order."""
    if index < after.entity or (index == after.entity and after.id is None):
        return seq_col > after.seq
    if index > after.entity:
        return seq_col >= after.seq
    return or_(seq_col > after.seq, and_(seq_col == after.seq, id_col > after_id))


def pull(
    session: AnySession,
    registry: Registry,
    feed: ChangeFeed,
    principal: Any,
    cursor: Position | None,
    limit: int,
) -> PullResult:
    high_water, purged = feed.high_water(session)
    held = max(cursor.seq, cursor.base) if cursor is not None else 0
    reset = cursor is not None and (
        held < purged  # tombstones it would need are gone
        or feed.must_reset(session, registry.principal_id(principal), held, high_water)
    )
    if reset:
        cursor = None  # start again from nothing
    elif cursor is not None and cursor.seq >= high_water and cursor.entity > len(registry.entities):
        return PullResult([], cursor.encode(), False, False)  # nothing committed since
    base = high_water if cursor is None else cursor.base
    # (sort key, a row of an entity's columns, or an eviction's change)
    candidates: list[tuple[SortKey, Any]] = []
    evictions = len(registry.entities)  # the evictions' place in the sort order
    if cursor is None:
        changed = set(range(evictions))  # a first sync reads everything, and has no evictions
    else:
        changed = _changed_since(session, registry, feed, principal, cursor, high_water)

    for index, entity in enumerate(registry.entities):
        scope = entity.scope(principal) if index in changed else None
        if scope is None:
            continue
        model = entity.model
        # Plain rows, not ORM objects: a first sync reads thousands, and the identity map and
        # instance state would cost more than the query. (field_versions is for merging.)
        columns = [column for column in model.__table__.c if column.key != "field_versions"]
        query = select(*columns).where(scope, model.seq <= high_water)
        if cursor is None:
            query = query.where(model.deleted_at.is_(None))  # a new device needs no tombstones
        else:
            query = query.where(
                _after(model.seq, model.id, index, cursor, cursor.id),
                # deleted before this device's full sync began: never held
                or_(model.deleted_at.is_(None), model.seq > cursor.base),
            )
        for row in session.execute(query.order_by(model.seq, model.id).limit(limit + 1)):
            candidates.append(((row.seq, index, row.id.int), row))

    if cursor is not None and evictions in changed:
        # Evictions sort after every entity of the same number, by their own integer id.
        index = evictions
        ev = feed.evictions.c
        after_id = cursor.id.int if cursor.id is not None else None
        query = (
            select(ev.id, ev.seq, ev.entity, ev.record_id)
            .where(
                ev.user_id == registry.principal_id(principal),
                ev.seq <= high_water,
                ev.entity != RESET,
                _after(ev.seq, ev.id, index, cursor, after_id),
            )
            .order_by(ev.seq, ev.id)
            .limit(limit + 1)
        )
        for row in session.execute(query):
            candidates.append(
                (
                    (row.seq, index, row.id),
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
    principal: Any,
    cursor: Position,
    high_water: int,
) -> set[int]:
    """Which entities, and the user's evictions (as index len(entities)), have anything numbered
    after the cursor: one statement, each part answered from a `seq` index without looking at
    scope. Most incremental pulls find changes in one or two tables of many, and the scope
    queries, which cost the most, then run only for those."""
    parts: list[Select[Any]] = []
    for index, entity in enumerate(registry.entities):
        model = entity.model
        found = exists().where(
            _after(model.seq, model.id, index, cursor, cursor.id), model.seq <= high_water
        )
        parts.append(select(literal_column(str(index))).where(found))
    ev = feed.evictions.c
    index = len(registry.entities)
    after_id = cursor.id.int if cursor.id is not None else None
    found = exists().where(
        ev.user_id == registry.principal_id(principal),
        _after(ev.seq, ev.id, index, cursor, after_id),
        ev.seq <= high_water,
    )
    parts.append(select(literal_column(str(index))).where(found))
    return {int(i) for i in session.scalars(union_all(*parts))}


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
