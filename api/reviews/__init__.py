"""A supervisor's review of a specialist's week (fidelity evidence)."""

from __future__ import annotations

from api.access import EntityAccess, own_rows, team_rows
from api.common.entity import Entity, register_entity
from api.reviews.models import WeekReview
from api.reviews.rules import prepare_review
from api.reviews.schemas import WeekReviewSchema

register_entity(
    Entity(
        "week_reviews",
        WeekReview,
        WeekReviewSchema,
        EntityAccess(
            read={"supervisor": team_rows(WeekReview), "specialist": own_rows(WeekReview)},
            write={"supervisor": frozenset({"comment"})},
            create_roles=frozenset({"supervisor"}),
            delete_roles=frozenset({"supervisor"}),
        ),
        references={"specialist_id": "specialists"},
        prepare=prepare_review,
        filters=("specialist_id", "iso_year", "iso_week"),
        label="week review",
        sync_position=11,
        example={"iso_year": 2026, "iso_week": 46},
    )
)
