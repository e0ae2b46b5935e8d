"""What the engine is told about each synced entity, and what it asks of the application."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import marshmallow as ma
from sqlalchemy import ColumnElement

# Merge rules for a field both sides changed since the client's base version:
CLIENT_WINS = "client_wins"  # the later arrival at the server wins (the server's clock decides)
SERVER_WINS = "server_wins"  # what the server has stays
SET_WINS = "set_wins"  # a value beats null (a step ticked off stays ticked off)


class Rejected(Exception):  # noqa: N818 - a result, not an accident
    """A mutation the application refuses, with words a person can act on and a stable `code`
    the app translates (docs/sync.md lists them). `retry`: it lost a race with another
    transaction, and the engine tries it once more on the fresh row."""

    def __init__(
        self,
        detail: str,
        errors: Mapping[str, Any] | None = None,
        status: int = 422,
        retry: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.status = status
        self.retry = retry
        self.code = code or ("concurrent_write" if retry else "invalid")


class Writer(Protocol):
    """The application's write path; its methods raise Rejected to refuse."""

    def find(self, principal: Any, entity: str, record_id: uuid.UUID) -> Any | None:
        """The record if the principal may see it (tombstones too), locked until the push
        commits, so that the change made from it cannot lose a race."""

    def find_many(self, principal: Any, entity: str, record_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these ids name records the principal may see (tombstones too)."""

    def lock_many(
        self, principal: Any, entity: str, record_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Any]:
        """find() for many ids at once: the records the principal may see, by id, locked."""

    def create(self, principal: Any, entity: str, data: dict[str, Any]) -> Any: ...

    def create_many(self, principal: Any, entity: str, items: list[dict[str, Any]]) -> list[Any]:
        """Create records together: per item, the record or the Rejected that refused it. Raises
        Rejected if the batch fails as a whole (the engine then applies the items one by one)."""

    def update(self, principal: Any, entity: str, record: Any, changes: dict[str, Any]) -> Any: ...

    def update_many(
        self, principal: Any, entity: str, items: list[tuple[Any, dict[str, Any]]]
    ) -> list[Any]:
        """update() for many (record, changes) at once, like create_many."""

    def delete(self, principal: Any, entity: str, record: Any) -> None: ...

    def record_conflict(
        self,
        principal: Any,
        entity: str,
        record: Any,
        field: str,
        kept_value: Any,
        other_value: Any,
    ) -> None: ...


@dataclass(frozen=True)
class SyncEntity:
    name: str
    model: type[Any]
    schema: type[ma.Schema]
    # Rows `principal` may see; None if they see none of this entity.
    scope: Callable[[Any], ColumnElement[bool] | None]
    # Turns rows into wire data for `principal` (may hide fields); default: schema dump. Pull
    # hands it the table's columns as named rows, not model instances.
    serialize: Callable[[Any, list[Any]], list[dict[str, Any]]] | None = None
    merge: Mapping[str, str] = field(default_factory=dict)  # field -> rule; default CLIENT_WINS
    append_only: bool = False  # created once, never edited: no merge needed

    def dump(self, principal: Any, rows: list[Any]) -> list[dict[str, Any]]:
        if self.serialize is not None:
            return self.serialize(principal, rows)
        return list(self.schema(many=True).dump(rows))


class Registry:
    """The synced entities in a fixed order (the order is part of the cursor)."""

    def __init__(
        self,
        entities: list[SyncEntity],
        writer: Writer,
        principal_id: Callable[[Any], uuid.UUID],
        partition_of: Callable[[Any], uuid.UUID | None] | None = None,
    ) -> None:
        self.entities = list(entities)
        self.by_name = {e.name: e for e in self.entities}
        self.writer = writer
        self.principal_id = principal_id
        # The one partition (the feed's partition_column) whose rows the principal may see, or
        # None if they may see rows of several (an administrator).
        self.partition_of = partition_of or (lambda principal: None)
        # Statements the engine builds once and runs with bind parameters (sync/pull.py).
        self.statements: dict[Hashable, Any] = {}

    def index(self, name: str) -> int:
        return next(i for i, e in enumerate(self.entities) if e.name == name)
