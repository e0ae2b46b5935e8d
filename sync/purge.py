"""The tombstone horizon: tombstones older than it are removed, and a device whose cursor is
older than the newest removed one is told to start over (pull answers `reset`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

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


def purge_tombstones(session: AnySession, feed: ChangeFeed, deleted_before: datetime) -> int:
    """Remove tombstones deleted before `deleted_before` that nothing refers to any more.

    Returns how many rows went. The caller commits.
    """
    removed = 0
    newest_removed = 0
    for model in sorted(feed.models, key=lambda m: m.__tablename__):
        condition = [model.deleted_at < deleted_before]
        for column in _referencing(model):
            condition.append(
                model.id.not_in(select(column).where(column.is_not(None)).scalar_subquery())
            )
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
