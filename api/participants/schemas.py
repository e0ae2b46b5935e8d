"""Schemas for participants, consents and career profiles."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from api.common.schema import Date, EntitySchema, Flag, aware_datetime, choice, text
from api.participants.models import COUNTERPARTS, PARTICIPANT_STATUSES


class ParticipantSchema(EntitySchema):
    specialist_id = fields.UUID(metadata={"description": "Defaults to the specialist creating it."})
    user_id = fields.UUID(dump_only=True, allow_none=True)
    first_name = text(100, required=True)
    last_name = text(100, required=True)
    phone = text(30, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    enrolled_on = Date(required=True, metadata={"description": "Date of programme entry."})
    closed_on = Date(allow_none=True)
    status = choice(PARTICIPANT_STATUSES)
    working_at_entry = Flag()


class ConsentSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    counterpart = choice(COUNTERPARTS, required=True)
    granted = Flag(required=True)
    recorded_at = aware_datetime(metadata={"description": "Defaults to now."})
    recorded_by = fields.UUID(dump_only=True, allow_none=True)
    note = text(500, allow_none=True)


class CareerProfileSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    job_preferences = text(4000, allow_none=True)
    strengths = text(4000, allow_none=True)
    education = text(4000, allow_none=True)
    work_history = text(4000, allow_none=True)
    disclosure_preference = text(
        2000,
        allow_none=True,
        metadata={
            "description": "What the participant wants an employer to be told, in their words."
        },
    )


class TransferSchema(ma.Schema):
    """Move a participant to another specialist of the same team."""

    specialist_id = fields.UUID(required=True)
