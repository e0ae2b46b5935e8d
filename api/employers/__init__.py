"""Employers, shared within a team."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, select

from api.access import Actor, specialist_writes, team_rows
from api.common.entity import Entity, register_entity
from api.employers.models import Employer
from api.employers.rules import prepare_employer
from api.employers.schemas import EmployerSchema
from api.jobs.models import JobMatch


def employers_of_own_jobs(actor: Actor) -> ColumnElement[bool]:
    """A participant sees the employers of their own job matches."""
    if not actor.participant_id:
        return false()
    return Employer.id.in_(
        select(JobMatch.employer_id).where(
            JobMatch.participant_id == actor.participant_id, JobMatch.deleted_at.is_(None)
        )
    )


register_entity(
    Entity(
        "employers",
        Employer,
        EmployerSchema,
        specialist_writes(
            {
                "specialist": team_rows(Employer),
                "supervisor": team_rows(Employer),
                "participant": employers_of_own_jobs,
            },
            hidden={"participant": frozenset({"notes", "contact_person", "phone"})},
        ),
        prepare=prepare_employer,
        filters=("org_number", "industry"),
        search=("name", "org_number", "industry"),
        label="employer",
        sync_position=1,
        example={"name": "Ny Bedrift AS", "org_number": "812345672"},
    )
)
