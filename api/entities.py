"""The registry of entities: each with its model, its one schema, references and rules.

Each area declares its own entities in its package's __init__.py (api.common.entity.
register_entity); REST routes are made from the registry and the sync engine is given it
(api.offline.setup). This module imports no area.
"""

from __future__ import annotations

from api.common.entity import ENTITIES, Entity

__all__ = ["CASELOAD_ENTITIES", "ENTITIES", "Entity"]

# Entities that belong to one participant's work with their specialist: visible to the
# specialist whose caseload the participant is on, and gone with the participant.
CASELOAD_ENTITIES = (
    "consents",
    "career_profiles",
    "plan_goals",
    "plan_steps",
    "meetings",
    "job_matches",
)
