"""Domain rules for plan goals and plan steps."""

from __future__ import annotations

from typing import Any

from api.access import Actor
from api.extensions import db
from api.plans.models import PlanGoal, PlanStep


def prepare_goal(
    actor: Actor, record: PlanGoal, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if record.status is None:
        record.status = "active"
    return {}


def prepare_step(
    actor: Actor, record: PlanStep, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if record.owner is None:
        record.owner = "participant"
    if record.goal_id is not None:
        goal = db.session.get(PlanGoal, record.goal_id)
        if goal is not None and goal.participant_id != record.participant_id:
            return {"goal_id": "This goal belongs to another participant's plan."}
    return {}
