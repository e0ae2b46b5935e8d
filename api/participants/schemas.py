"""Schemas for participants, consents and career profiles."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.common.schema import (
    EMAIL_MAX,
    LONG_TEXT_MAX,
    NOTE_MAX,
    PERSON_NAME_MAX,
    PHONE_MAX,
    SHORT_NOTE_MAX,
    Date,
    EntitySchema,
    Flag,
    aware_datetime,
    choice,
    text,
)
from api.participants.models import COUNTERPARTS, PARTICIPANT_STATUSES


class ParticipantSchema(EntitySchema):
    specialist_id = fields.UUID(metadata={"description": "Defaults to the specialist creating it."})
    user_id = fields.UUID(dump_only=True, allow_none=True)
    first_name = text(PERSON_NAME_MAX, required=True)
    last_name = text(PERSON_NAME_MAX, required=True)
    phone = text(PHONE_MAX, allow_none=True)
    email = fields.Email(
        allow_none=True,
        validate=validate.Length(
            max=EMAIL_MAX, error=f"email may be at most {EMAIL_MAX} characters long."
        ),
    )
    enrolled_on = Date(required=True, metadata={"description": "Date of programme entry."})
    closed_on = Date(allow_none=True)
    status = choice(PARTICIPANT_STATUSES)
    working_at_entry = Flag()
    erased_at = fields.AwareDateTime(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "When the participant's data was erased; from then on no change to "
            "them or their records is saved."
        },
    )


class ConsentSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    counterpart = choice(COUNTERPARTS, required=True)
    granted = Flag(required=True)
    recorded_at = aware_datetime(metadata={"description": "Defaults to now."})
    recorded_by = fields.UUID(dump_only=True, allow_none=True)
    note = text(SHORT_NOTE_MAX, allow_none=True)


class CareerProfileSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    job_preferences = text(LONG_TEXT_MAX, allow_none=True)
    strengths = text(LONG_TEXT_MAX, allow_none=True)
    education = text(LONG_TEXT_MAX, allow_none=True)
    work_history = text(LONG_TEXT_MAX, allow_none=True)
    disclosure_preference = text(
        NOTE_MAX,
        allow_none=True,
        metadata={
            "description": "What the participant wants an employer to be told, in their words."
        },
    )


class TransferSchema(ma.Schema):
    """Move a participant to another specialist of the same team."""

    specialist_id = fields.UUID(required=True)
