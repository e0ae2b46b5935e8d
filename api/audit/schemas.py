"""Schemas for searching the audit log."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.audit.models import AUDIT_ACTIONS
from api.common.schema import AwareDateTime, Text, choice


class AuditFilterSchema(ma.Schema):
    """Query parameters of an audit search; all optional, combined with AND."""

    class Meta:
        unknown = ma.RAISE

    participant_id = fields.UUID(metadata={"description": "Access to this participant's data."})
    actor_id = fields.UUID(metadata={"description": "Access by this user."})
    action = choice(AUDIT_ACTIONS, metadata={"description": "Only this kind of access."})
    entity = Text(
        validate=ma.validate.Length(min=1, max=50),
        metadata={"description": "Only access to this entity, e.g. meetings."},
    )
    record_id = fields.UUID(metadata={"description": "Only access that named this record."})
    first = AwareDateTime(
        data_key="from", metadata={"description": "Only access at or after this time."}
    )
    last = AwareDateTime(data_key="to", metadata={"description": "Only access before this time."})


class AuditEventSchema(ma.Schema):
    """Who read or changed a participant's data, when, what, and by which rule. Ids and short
    codes only: the log holds no names and no text."""

    class Meta:
        ordered = True

    id = fields.UUID(required=True)
    at = fields.AwareDateTime(required=True, metadata={"description": "Server time."})
    request_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "Entries of one request share it."},
    )
    actor_id = fields.UUID(required=True, metadata={"description": "The user who had access."})
    actor_role = fields.String(required=True)
    action = fields.String(required=True, metadata={"enum": list(AUDIT_ACTIONS)})
    entity = fields.String(
        required=True,
        metadata={"description": "What was accessed: an entity such as meetings, or a report."},
    )
    record_id = fields.UUID(
        required=True,
        allow_none=True,
        metadata={"description": "The record, when it was one; else see record_count."},
    )
    record_count = fields.Integer(
        required=True,
        metadata={"description": "How many of the participant's records of the entity."},
    )
    participant_id = fields.UUID(required=True)
    reason = fields.String(
        required=True,
        metadata={
            "description": "Why the access was allowed: own_caseload, own_records, "
            "team_supervisor, self or admin."
        },
    )
    endpoint = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The route that served the request, e.g. sync.pull_route."},
    )
