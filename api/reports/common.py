"""What the report routes share: the blueprint, who the reader may see, and periods."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from api.access import current_actor, report_specialists
from api.common.crud import ApiBlueprint, refuse_unknown_query
from api.errors import DomainError
from api.extensions import db
from api.teams.models import User

blp = ApiBlueprint("reports", __name__, url_prefix="/api/v1", description="Reports.")


def report_readers_specialists(
    team_id: uuid.UUID | None, known_query: frozenset[str]
) -> list[tuple[uuid.UUID, str]]:
    """The active specialists (id, name) whose numbers the current user may see, by name;
    DomainError for an unknown query parameter or a refused reader."""
    refuse_unknown_query(known_query)
    who = report_specialists(current_actor(), team_id)
    rows = db.session.execute(
        select(User.id, User.name).where(who, User.is_active.is_(True)).order_by(User.name)
    ).all()
    return [(row.id, row.name) for row in rows]


def refuse_reversed(first: Any, last: Any) -> None:
    if first > last:
        raise DomainError(422, "'from' comes after 'to'.", {"from": ["Must not be after 'to'."]})
