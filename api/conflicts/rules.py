"""Domain rules for conflict records: a person marks one resolved."""

from __future__ import annotations

from typing import Any

from api.access import Actor
from api.common.model import utcnow


def prepare_conflict(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if "resolved_at" in changes:
        if changes["resolved_at"] is not None:
            record.resolved_at = utcnow()
        record.resolved_by = actor.id if record.resolved_at else None
    return {}
