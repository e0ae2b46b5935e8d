"""Schemas for plan goals and plan steps."""

from __future__ import annotations

from marshmallow import fields

from api.common.schema import NOTE_MAX, TITLE_MAX, Date, EntitySchema, aware_datetime, choice, text
from api.plans.models import GOAL_STATUSES, STEP_OWNERS


class PlanGoalSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    title = text(TITLE_MAX, required=True)
    description = text(NOTE_MAX, allow_none=True)
    status = choice(GOAL_STATUSES)
    target_on = Date(allow_none=True)


class PlanStepSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    goal_id = fields.UUID(allow_none=True)
    meeting_id = fields.UUID(allow_none=True)
    title = text(TITLE_MAX, required=True)
    due_on = Date(allow_none=True)
    done_at = aware_datetime(allow_none=True)
    owner = choice(STEP_OWNERS)
