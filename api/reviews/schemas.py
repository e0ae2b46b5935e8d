"""Schema for week reviews."""

from __future__ import annotations

from marshmallow import fields

from api.common.schema import NOTE_MAX, EntitySchema, text, whole_number


class WeekReviewSchema(EntitySchema):
    specialist_id = fields.UUID(required=True)
    iso_year = whole_number(2000, 2100, required=True)
    iso_week = whole_number(1, 53, required=True)
    week = fields.String(dump_only=True, metadata={"description": "The week as 2026-W47."})
    reviewed_by = fields.UUID(dump_only=True)
    reviewed_at = fields.AwareDateTime(dump_only=True)
    comment = text(NOTE_MAX, allow_none=True)
