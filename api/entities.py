"""The registry of entities: each with its model, its one schema, references and rules.

REST routes are made from it, and the sync engine will be given it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.activity.models import EmployerContact, Meeting, TeamMeeting
from api.activity.rules import prepare_employer_contact, prepare_meeting, prepare_team_meeting
from api.activity.schemas import EmployerContactSchema, MeetingSchema, TeamMeetingSchema
from api.common.entity import Entity
from api.common.model import utcnow
from api.conflicts.models import Conflict
from api.conflicts.rules import prepare_conflict
from api.conflicts.schemas import ConflictSchema
from api.employers.models import Employer
from api.employers.rules import prepare_employer
from api.employers.schemas import EmployerSchema
from api.extensions import db
from api.jobs.models import JobMatch
from api.jobs.rules import prepare_job_match
from api.jobs.schemas import JobMatchSchema
from api.participants.models import CareerProfile, Consent, Participant
from api.participants.rules import (
    prepare_career_profile,
    prepare_consent,
    prepare_participant,
)
from api.participants.schemas import CareerProfileSchema, ConsentSchema, ParticipantSchema
from api.plans.models import PlanGoal, PlanStep
from api.plans.rules import prepare_goal, prepare_step
from api.plans.schemas import PlanGoalSchema, PlanStepSchema
from api.reviews.models import WeekReview
from api.reviews.rules import prepare_review
from api.reviews.schemas import WeekReviewSchema

_PARTICIPANT = {"participant_id": "participants"}

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


def tombstone_caseload_records(participant: Any) -> None:
    """A deleted participant takes their plan, meetings, consents and job matches along, so
    that every device that held them receives a tombstone. Employer contacts that name the
    participant stay: they are the specialist's work with the employer."""
    now = utcnow()
    for name in CASELOAD_ENTITIES:
        model = ENTITIES[name].model
        for record in db.session.scalars(
            select(model).where(model.participant_id == participant.id, model.deleted_at.is_(None))
        ):
            record.deleted_at = now


def participant_reassigned(participant: Any, before: dict[str, Any]) -> None:
    """A participant moved to another specialist: the old one's devices drop them and their
    records, the new one's receive them."""
    previous = before.get("specialist_id")
    if previous is not None and previous != participant.specialist_id:
        # The scope changes import this registry; imported here to avoid a cycle.
        from api.offline.scope_changes import participant_moved

        participant_moved(participant.id, previous)


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "participants",
            Participant,
            ParticipantSchema,
            references={"specialist_id": "specialists"},
            prepare=prepare_participant,
            on_delete=tombstone_caseload_records,
            on_update=participant_reassigned,
            filters=("status", "specialist_id"),
            search=("first_name", "last_name"),
            label="participant",
        ),
        Entity(
            "consents",
            Consent,
            ConsentSchema,
            references=_PARTICIPANT,
            prepare=prepare_consent,
            filters=("participant_id", "counterpart"),
            time_column="recorded_at",
            label="consent",
        ),
        Entity(
            "career_profiles",
            CareerProfile,
            CareerProfileSchema,
            references=_PARTICIPANT,
            prepare=prepare_career_profile,
            filters=("participant_id",),
            label="career profile",
        ),
        Entity(
            "employers",
            Employer,
            EmployerSchema,
            prepare=prepare_employer,
            filters=("org_number", "industry"),
            search=("name", "org_number", "industry"),
            label="employer",
        ),
        Entity(
            "employer_contacts",
            EmployerContact,
            EmployerContactSchema,
            references={"employer_id": "employers", "specialist_id": "specialists", **_PARTICIPANT},
            prepare=prepare_employer_contact,
            filters=("employer_id", "participant_id", "specialist_id", "mode"),
            time_column="contacted_at",
            label="employer contact",
        ),
        Entity(
            "meetings",
            Meeting,
            MeetingSchema,
            references={"specialist_id": "specialists", **_PARTICIPANT},
            prepare=prepare_meeting,
            filters=("participant_id", "specialist_id", "setting", "kind", "status"),
            time_column="starts_at",
            label="meeting",
        ),
        Entity(
            "team_meetings",
            TeamMeeting,
            TeamMeetingSchema,
            references={"specialist_id": "specialists"},
            prepare=prepare_team_meeting,
            filters=("specialist_id", "kind"),
            time_column="starts_at",
            label="team meeting",
        ),
        Entity(
            "job_matches",
            JobMatch,
            JobMatchSchema,
            references={"employer_id": "employers", **_PARTICIPANT},
            prepare=prepare_job_match,
            filters=("participant_id", "employer_id", "status", "competitive"),
            label="job match",
        ),
        Entity(
            "plan_goals",
            PlanGoal,
            PlanGoalSchema,
            references=_PARTICIPANT,
            prepare=prepare_goal,
            filters=("participant_id", "status"),
            label="plan goal",
        ),
        Entity(
            "plan_steps",
            PlanStep,
            PlanStepSchema,
            references={"goal_id": "plan_goals", "meeting_id": "meetings", **_PARTICIPANT},
            prepare=prepare_step,
            filters=("participant_id", "goal_id", "owner"),
            label="plan step",
        ),
        Entity(
            "week_reviews",
            WeekReview,
            WeekReviewSchema,
            references={"specialist_id": "specialists"},
            prepare=prepare_review,
            filters=("specialist_id", "iso_year", "iso_week"),
            label="week review",
        ),
        Entity(
            "conflicts",
            Conflict,
            ConflictSchema,
            prepare=prepare_conflict,
            filters=("entity", "record_id"),
            label="conflict",
        ),
    )
}
