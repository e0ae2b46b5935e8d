"""The registry of entities: each with its model, its one schema, references and rules.

Each area declares its own entities in its package's __init__.py (api.common.entity.
register_entity); REST routes are made from the registry and the sync engine is given it
(api.offline.setup). This module imports no area.
"""

from __future__ import annotations

from typing import Any

from api.common.entity import ENTITIES, Entity

__all__ = ["ENTITIES", "Entity", "caseload_entities", "erased_fields"]


def caseload_entities() -> list[str]:
    """Entities that belong to one participant's work with their specialist (declared with
    `caseload=True`): visible to the specialist whose caseload the participant is on, and gone
    with the participant. In sync order."""
    declared = sorted(ENTITIES.values(), key=lambda entity: entity.sync_position)
    return [entity.name for entity in declared if entity.caseload]


def erased_fields() -> dict[str, dict[str, Any]]:
    """Per entity, the free text erasure replaces and with what (declared as `erased`)."""
    return {name: dict(entity.erased) for name, entity in ENTITIES.items() if entity.erased}
