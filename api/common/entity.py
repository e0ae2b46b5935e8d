"""What the API knows about each entity: its model, its schema, what it references."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.access import Actor
    from api.common.schema import EntitySchema

# prepare(actor, record, changes, creating) fills defaults on `record` and returns field errors.
Prepare = Callable[["Actor", Any, dict[str, Any], bool], dict[str, str]]
# on_delete(record) tombstones what goes with the record, in the same transaction.
OnDelete = Callable[[Any], None]
# on_update(record, before) follows a written change ({field: value before it}), in the same
# transaction: e.g. tells devices that a participant moved to another specialist.
OnUpdate = Callable[[Any, dict[str, Any]], None]


@dataclass(frozen=True)
class Entity:
    name: str  # wire name, e.g. "employer_contacts"
    model: type[Any]
    schema: type[EntitySchema]
    # field -> entity name of the referenced row, or "specialists" for a specialist's user id
    references: dict[str, str] = field(default_factory=dict)
    prepare: Prepare | None = None
    on_delete: OnDelete | None = None
    on_update: OnUpdate | None = None
    filters: tuple[str, ...] = ()  # columns a list may be filtered on by equality
    time_column: str | None = None  # filtered by ?from=&to=
    search: tuple[str, ...] = ()  # columns ?q= searches in
    order_by: str = "id"  # UUIDv7: creation order
    label: str = ""  # a human name, for messages

    @property
    def human(self) -> str:
        return self.label or self.name.replace("_", " ")
