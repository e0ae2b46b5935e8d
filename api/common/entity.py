"""What the API knows about each entity: its model, its one schema, what it references, who may
read and write it. Each area declares its entities once, in its package's __init__.py, with
register_entity(); ENTITIES (also api.entities.ENTITIES) is the registry they go into."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from api.access import EntityAccess, register_rules

if TYPE_CHECKING:
    from api.access import Actor
    from api.common.schema import EntitySchema

# prepare(actor, record, changes, creating) fills defaults on `record` and returns field errors.
Prepare = Callable[["Actor", Any, dict[str, Any], bool], dict[str, str]]
# on_delete(record) tombstones what goes with the record, in the same transaction.
OnDelete = Callable[[Any], None]


@dataclass(frozen=True)
class Entity:
    name: str  # wire name, e.g. "employer_contacts"
    model: type[Any]
    schema: type[EntitySchema]
    access: EntityAccess  # who reads, writes, creates and deletes (api.access)
    # field -> entity name of the referenced row, or "specialists" for a specialist's user id
    references: dict[str, str] = field(default_factory=dict)
    prepare: Prepare | None = None
    on_delete: OnDelete | None = None
    filters: tuple[str, ...] = ()  # columns a list may be filtered on by equality
    time_column: str | None = None  # filtered by ?from=&to=
    search: tuple[str, ...] = ()  # columns ?q= searches in
    order_by: str = "id"  # UUIDv7: creation order
    label: str = ""  # a human name, for messages

    @property
    def human(self) -> str:
        return self.label or self.name.replace("_", " ")


# Every entity by wire name, in the order the areas were imported.
ENTITIES: dict[str, Entity] = {}


def register_entity(entity: Entity) -> Entity:
    """Add `entity` and its access rules to the registries (once per name)."""
    if ENTITIES.setdefault(entity.name, entity) is not entity:
        raise ValueError(f"The entity {entity.name} is declared twice.")
    register_rules(entity.name, entity.access)
    return entity
