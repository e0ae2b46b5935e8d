"""Schemas for employer contacts, meetings and team meetings."""

from __future__ import annotations

from marshmallow import fields

from api.activity.models import (
    CONTACT_MODES,
    MEETING_KINDS,
    MEETING_SETTINGS,
    MEETING_STATUSES,
    TEAM_MEETING_KINDS,
)
from api.common.schema import (
    NOTE_MAX,
    SHORT_NOTE_MAX,
    TITLE_MAX,
    EntitySchema,
    aware_datetime,
    choice,
    text,
    whole_number,
)


class EmployerContactSchema(EntitySchema):
    employer_id = fields.UUID(required=True)
    participant_id = fields.UUID(
        allow_none=True,
        metadata={
            "description": "Null for general job development; needs the participant's consent."
        },
    )
    specialist_id = fields.UUID(metadata={"description": "Defaults to the user logging it."})
    contacted_at = aware_datetime(
        required=True,
        metadata={"description": "When it happened: not in the future (GET /api/v1/settings)."},
    )
    logged_at = aware_datetime(
        metadata={
            "description": "When the user logged it (the device's clock; defaults to when the "
            "server receives it). What happened may be set back at most ACTIVITY_MAX_DAYS_BACK "
            "days before this."
        }
    )
    mode = choice(CONTACT_MODES)
    face_to_face = fields.Boolean(dump_only=True)
    purpose = text(TITLE_MAX, allow_none=True)
    outcome = text(SHORT_NOTE_MAX, allow_none=True)
    notes = text(NOTE_MAX, allow_none=True)


class MeetingSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    specialist_id = fields.UUID(metadata={"description": "Defaults to the user logging it."})
    starts_at = aware_datetime(required=True)
    logged_at = aware_datetime(
        metadata={
            "description": "When the user logged it (the device's clock; defaults to when the "
            "server receives it). What happened may be set back at most ACTIVITY_MAX_DAYS_BACK "
            "days before this."
        }
    )
    duration_minutes = whole_number(1, 1440, required=True)
    setting = choice(MEETING_SETTINGS, required=True)
    place = text(TITLE_MAX, allow_none=True)
    kind = choice(MEETING_KINDS, required=True)
    status = choice(
        MEETING_STATUSES,
        metadata={"description": "Defaults to planned for a future meeting, held for a past one."},
    )
    agreed_next_steps = text(NOTE_MAX, allow_none=True)
    notes = text(NOTE_MAX, allow_none=True)


class TeamMeetingSchema(EntitySchema):
    specialist_id = fields.UUID(metadata={"description": "Defaults to the user logging it."})
    starts_at = aware_datetime(required=True)
    duration_minutes = whole_number(1, 1440, required=True)
    kind = choice(TEAM_MEETING_KINDS)
    notes = text(NOTE_MAX, allow_none=True)
