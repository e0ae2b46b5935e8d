"""Participants on a specialist's caseload, their consents and career profile."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select

from api.access import (
    NOTE_FIELDS,
    EntityAccess,
    everything,
    on_caseload,
    own_rows,
    register_accounts,
    specialist_writes,
    team_rows,
)
from api.common.entity import ENTITIES, Entity, register_entity
from api.common.erasure import ERASED_FIRST_NAME, ERASED_LAST_NAME
from api.common.model import utcnow
from api.entities import caseload_entities
from api.extensions import db
from api.participants.models import CareerProfile, Consent, Participant
from api.participants.rules import prepare_career_profile, prepare_consent, prepare_participant
from api.participants.schemas import CareerProfileSchema, ConsentSchema, ParticipantSchema

register_accounts(participant=Participant)

_PARTICIPANT = {"participant_id": "participants"}


def tombstone_caseload_records(participant: Any) -> None:
    """A deleted participant takes their plan, meetings, consents and job matches along, so
    that every device that held them receives a tombstone. Employer contacts that name the
    participant stay: they are the specialist's work with the employer."""
    now = utcnow()
    for name in caseload_entities():
        model = ENTITIES[name].model
        for record in db.session.scalars(
            select(model).where(model.participant_id == participant.id, model.deleted_at.is_(None))
        ):
            record.deleted_at = now


register_entity(
    Entity(
        "participants",
        Participant,
        ParticipantSchema,
        EntityAccess(
            read={
                "specialist": own_rows(Participant),
                "supervisor": team_rows(Participant),
                "participant": lambda a: (
                    Participant.id == a.participant_id if a.participant_id else false()
                ),
                "admin": everything,
            },
            write={
                "specialist": frozenset(
                    {
                        "first_name",
                        "last_name",
                        "phone",
                        "email",
                        "enrolled_on",
                        "closed_on",
                        "status",
                        "working_at_entry",
                        "specialist_id",
                    }
                ),
                # Moving a participant to another specialist of their team (a caseload transfer).
                "supervisor": frozenset({"specialist_id"}),
                "admin": frozenset({"specialist_id"}),
            },
            create_roles=frozenset({"specialist"}),
            delete_roles=frozenset({"specialist"}),
            hidden={"supervisor": NOTE_FIELDS, "admin": NOTE_FIELDS},
        ),
        references={"specialist_id": "specialists"},
        prepare=prepare_participant,
        on_delete=tombstone_caseload_records,
        filters=("status", "specialist_id"),
        search=("first_name", "last_name"),
        label="participant",
        sync_position=2,
        example={"first_name": "Ola", "last_name": "Nordmann", "enrolled_on": "2026-10-01"},
        erased={
            "first_name": ERASED_FIRST_NAME,
            "last_name": ERASED_LAST_NAME,
            "phone": None,
            "email": None,
        },
    )
)
register_entity(
    Entity(
        "consents",
        Consent,
        ConsentSchema,
        specialist_writes({"specialist": on_caseload(Consent), "supervisor": team_rows(Consent)}),
        references=_PARTICIPANT,
        prepare=prepare_consent,
        filters=("participant_id", "counterpart"),
        time_column="recorded_at",
        label="consent",
        sync_position=3,
        example={"counterpart": "nav", "granted": True},
        caseload=True,
        erased={"note": None},
        app_indexes=("participant_id",),
    )
)
register_entity(
    Entity(
        "career_profiles",
        CareerProfile,
        CareerProfileSchema,
        specialist_writes(
            {"specialist": on_caseload(CareerProfile), "supervisor": team_rows(CareerProfile)}
        ),
        references=_PARTICIPANT,
        prepare=prepare_career_profile,
        filters=("participant_id",),
        label="career profile",
        sync_position=4,
        example={"strengths": "Blid"},
        caseload=True,
        erased={
            "job_preferences": None,
            "strengths": None,
            "education": None,
            "work_history": None,
            "disclosure_preference": None,
        },
        app_indexes=("participant_id",),
    )
)
