"""Schema for conflict records."""

from __future__ import annotations

from marshmallow import fields

from api.common.schema import EntitySchema, aware_datetime


class ConflictSchema(EntitySchema):
    entity = fields.String(dump_only=True)
    record_id = fields.UUID(dump_only=True)
    field = fields.String(dump_only=True)
    kept_value = fields.Raw(dump_only=True, allow_none=True)
    other_value = fields.Raw(dump_only=True, allow_none=True)
    user_id = fields.UUID(dump_only=True, allow_none=True)
    resolved_at = aware_datetime(allow_none=True)
    resolved_by = fields.UUID(dump_only=True, allow_none=True)
