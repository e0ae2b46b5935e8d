"""What the API knows about each entity: its model, its one schema, what it references, who may
read and write it, how it syncs and what the field app indexes. Each area declares its entities
once, in its package's __init__.py, with register_entity(); ENTITIES (also
api.entities.ENTITIES) is the registry they go into. The sync order, merge rules and the field
app's tables (pwa/src/entities.gen.ts, `make openapi`) are derived from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    # Place in the sync order, from 1: what a record references comes earlier. The order is
    # part of every cursor a device holds, so a number never changes; a new entity takes the
    # next free one.
    sync_position: int = field(kw_only=True)
    # field -> rule for a field that both sides changed (sync.registry: SET_WINS,
    # SERVER_WINS); any other field: the later arrival at the server wins (CLIENT_WINS).
    merge_rules: Mapping[str, str] = field(default_factory=dict, kw_only=True)
    append_only: bool = field(default=False, kw_only=True)  # created once, never edited
    # Fields the field app indexes in IndexedDB besides `id`: only those a screen or the sync
    # queries by, since each index costs a write per record on every sync.
    app_indexes: tuple[str, ...] = field(default=(), kw_only=True)
    # A record of one participant's work with their specialist (it has participant_id): it
    # follows the participant to another specialist and is tombstoned with them.
    caseload: bool = field(default=False, kw_only=True)
    # Free text about the participant that erasure (api.rights) replaces: field -> what it
    # writes instead (None clears it; api.common.erasure has the words).
    erased: Mapping[str, Any] = field(default_factory=dict, kw_only=True)
    # A valid body for creating a record, without the fields named in `references` (the one
    # who writes it fills those in), e.g. {"title": "Ringe bedriften", "owner": "participant"}.
    # The access tests make an entity's records with it and change its fields, so that a new
    # entity is checked against its declared rules without a record written for it by hand.
    example: Mapping[str, Any] = field(default_factory=dict, kw_only=True)

    @property
    def human(self) -> str:
        return self.label or self.name.replace("_", " ")

    @property
    def area(self) -> str:
        """The package that declares it, e.g. "api.activity" (where its model is)."""
        return ".".join(self.model.__module__.split(".")[:2])


# Every entity by wire name, in the order the areas were imported.
ENTITIES: dict[str, Entity] = {}


def register_entity(entity: Entity) -> Entity:
    """Add `entity` and its access rules to the registries (once per name and sync position)."""
    taken = next(
        (e.name for e in ENTITIES.values() if e.sync_position == entity.sync_position), None
    )
    if taken is not None and taken != entity.name:
        raise ValueError(
            f"The entities {taken} and {entity.name} both have sync position "
            f"{entity.sync_position}; a new entity takes the next free one."
        )
    if ENTITIES.setdefault(entity.name, entity) is not entity:
        raise ValueError(f"The entity {entity.name} is declared twice.")
    register_rules(entity.name, entity.access)
    return entity
