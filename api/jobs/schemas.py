"""Schema for job matches."""

from __future__ import annotations

from marshmallow import fields, validate

from api.common.schema import (
    CATEGORY_MAX,
    NOTE_MAX,
    TITLE_MAX,
    Date,
    EntitySchema,
    Flag,
    Number,
    choice,
    text,
)
from api.jobs.models import END_REASONS, JOB_STATUSES


class JobMatchSchema(EntitySchema):
    participant_id = fields.UUID(required=True)
    employer_id = fields.UUID(required=True)
    job_title = text(TITLE_MAX, required=True)
    job_type = text(CATEGORY_MAX, allow_none=True)
    status = choice(JOB_STATUSES)
    started_on = Date(allow_none=True)
    ended_on = Date(allow_none=True)
    hours_per_week = Number(
        allow_none=True,
        validate=validate.Range(
            min=0,
            max=80,
            min_inclusive=False,
            error="Hours per week must be more than 0 and at most 80.",
        ),
        # apispec documents the minimum but not that it is exclusive
        metadata={"exclusiveMinimum": True},
    )
    competitive = Flag(
        metadata={
            "description": "Ordinary job at ordinary wage, open to anyone; false for lønnstilskudd."
        }
    )
    end_reason = choice(END_REASONS, allow_none=True)
    notes = text(NOTE_MAX, allow_none=True)
