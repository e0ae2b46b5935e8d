"""Job matches: a participant, an employer and a job, through its stages."""

from __future__ import annotations

from api.access import on_caseload, own_participant_rows, specialist_writes, team_rows
from api.common.entity import Entity, register_entity
from api.jobs.models import JobMatch
from api.jobs.rules import prepare_job_match
from api.jobs.schemas import JobMatchSchema

register_entity(
    Entity(
        "job_matches",
        JobMatch,
        JobMatchSchema,
        specialist_writes(
            {
                "specialist": on_caseload(JobMatch),
                "supervisor": team_rows(JobMatch),
                "participant": own_participant_rows(JobMatch),
            },
            hidden={"participant": frozenset({"notes"})},
        ),
        references={"employer_id": "employers", "participant_id": "participants"},
        prepare=prepare_job_match,
        filters=("participant_id", "employer_id", "status", "competitive"),
        label="job match",
        sync_position=10,
        example={"job_title": "Lagermedarbeider"},
        caseload=True,
        erased={"notes": None},
        app_indexes=("participant_id", "employer_id"),
    )
)
