"""Conflicts: the value that lost a concurrent edit, kept for a person to look at."""

from __future__ import annotations

from api.access import EntityAccess, own_rows
from api.common.entity import Entity, register_entity
from api.conflicts.models import Conflict
from api.conflicts.rules import prepare_conflict
from api.conflicts.schemas import ConflictSchema

_ROLES = ("specialist", "supervisor", "participant")

register_entity(
    Entity(
        "conflicts",
        Conflict,
        ConflictSchema,
        EntityAccess(
            read={role: own_rows(Conflict, "user_id") for role in _ROLES},
            write={role: frozenset({"resolved_at"}) for role in _ROLES},
            reasons={role: "own_records" for role in _ROLES},
        ),
        prepare=prepare_conflict,
        filters=("entity", "record_id"),
        label="conflict",
        sync_position=12,
    )
)
