"""The tombstone horizon: tombstones older than it are removed, and a device whose cursor is
older than the newest removed one is told to start over (pull answers `reset`). The results of
pushed mutations older than it are forgotten too (docs/sync.md, "The tombstone horizon")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select, update

from sync.feed import AnySession, ChangeFeed


def _referencing(model: Any) -> list[Any]:
    """Columns elsewhere in the schema that point at `model`'s id."""
    table = model.__table__
    return [
        fk.parent
        for other in table.metadata.tables.values()
        for fk in other.foreign_keys
        if fk.column is table.c.id
    ]


def _unreferenced(model: Any, column: Any) -> Any:
    """No row has `column` pointing at the row of `model` in hand.

    NOT EXISTS rather than `id NOT IN (SELECT column ...)`: PostgreSQL plans it as an anti-join
    whatever the sizes, whereas NOT IN is hashed only while the whole list of referencing ids
    fits in work_mem; past that (two years of a country's meetings, at the default work_mem)
    every candidate tombstone scans the list again, every night (docs/performance.md, "The
    nightly purges"). NOT EXISTS also needs no care for NULLs. The referencing table is aliased
    so that a table referring to itself would still correlate.
    """
    referrer = column.table.alias()
    return ~exists().where(referrer.c[column.name] == model.__table__.c.id)


def tombstone_condition(model: Any, deleted_before: datetime) -> list[Any]:
    """Which rows of `model` the purge removes: deleted before then, referred to by nothing."""
    return [model.deleted_at < deleted_before] + [
        _unreferenced(model, column) for column in _referencing(model)
    ]


def purge_tombstones(session: AnySession, feed: ChangeFeed, deleted_before: datetime) -> int:
    """Remove tombstones deleted before `deleted_before` that nothing refers to any more.

    Returns how many rows went. The caller commits.
    """
    removed = 0
    newest_removed = 0
    for model in sorted(feed.models, key=lambda m: m.__tablename__):
        condition = tombstone_condition(model, deleted_before)
        top = session.execute(select(func.max(model.seq)).where(*condition)).scalar()
        if top is None:
            continue
        result = session.execute(delete(model.__table__).where(*condition))
        removed += int(getattr(result, "rowcount", 0) or 0)
        newest_removed = max(newest_removed, int(top))
    _, purged = feed.high_water(session)
    if newest_removed > purged:
        session.execute(
            update(feed.state).where(feed.state.c.id == 1).values(purged_seq=newest_removed)
        )
        # A device older than this starts over, so it needs no evictions from before it either.
        session.execute(delete(feed.evictions).where(feed.evictions.c.seq <= newest_removed))
    return removed


def purge_mutations(session: AnySession, feed: ChangeFeed, before: datetime) -> int:
    """Forget the results of mutations pushed before `before`; returns how many. The caller
    commits.

    The log exists so that a mutation sent again (a lost response, a retry) is answered
    `duplicate` instead of being applied twice. Past the tombstone horizon a device is not
    expected to replay anything, and the log would otherwise grow by a row per change made on
    any phone, for ever. A replay older than this is evaluated as a new mutation.
    """
    table = feed.mutations
    result = session.execute(delete(table).where(table.c.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
