"""The job-search plan: goals and the small steps toward them."""

from __future__ import annotations

from api.access import (
    NOTE_FIELDS,
    EntityAccess,
    on_caseload,
    own_participant_rows,
    specialist_writes,
    team_rows,
)
from api.common.entity import Entity, register_entity
from api.common.erasure import ERASED_TITLE
from api.plans.models import PlanGoal, PlanStep
from api.plans.rules import prepare_goal, prepare_step
from api.plans.schemas import PlanGoalSchema, PlanStepSchema
from sync.registry import SET_WINS

register_entity(
    Entity(
        "plan_goals",
        PlanGoal,
        PlanGoalSchema,
        specialist_writes(
            {
                "specialist": on_caseload(PlanGoal),
                "supervisor": team_rows(PlanGoal),
                "participant": own_participant_rows(PlanGoal),
            }
        ),
        references={"participant_id": "participants"},
        prepare=prepare_goal,
        filters=("participant_id", "status"),
        label="plan goal",
        sync_position=5,
        example={"title": "Jobb på lager"},
        caseload=True,
        erased={"title": ERASED_TITLE, "description": None},
        app_indexes=("participant_id",),
    )
)
register_entity(
    Entity(
        "plan_steps",
        PlanStep,
        PlanStepSchema,
        EntityAccess(
            read={
                "specialist": on_caseload(PlanStep),
                "supervisor": team_rows(PlanStep),
                "participant": own_participant_rows(PlanStep),
            },
            # A participant ticks off their own steps, and nothing else.
            write={"specialist": None, "participant": frozenset({"done_at"})},
            create_roles=frozenset({"specialist"}),
            delete_roles=frozenset({"specialist"}),
            hidden={"supervisor": NOTE_FIELDS},
        ),
        references={
            "goal_id": "plan_goals",
            "meeting_id": "meetings",
            "participant_id": "participants",
        },
        prepare=prepare_step,
        filters=("participant_id", "goal_id", "owner"),
        label="plan step",
        sync_position=7,
        example={"title": "Ringe bedriften", "owner": "participant"},
        caseload=True,
        erased={"title": ERASED_TITLE},
        merge_rules={"done_at": SET_WINS},  # ticked off on one device stays ticked off
        app_indexes=("participant_id",),
    )
)
