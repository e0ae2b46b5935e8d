"""Schemas for a participant's export and erasure."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from api.activity.schemas import EmployerContactSchema, MeetingSchema
from api.conflicts.schemas import ConflictSchema
from api.jobs.schemas import JobMatchSchema
from api.participants.schemas import CareerProfileSchema, ConsentSchema, ParticipantSchema
from api.plans.schemas import PlanGoalSchema, PlanStepSchema


class ExportedEmployerContactSchema(EmployerContactSchema):
    employer_name = fields.String(dump_only=True, allow_none=True)


class ExportedJobMatchSchema(JobMatchSchema):
    employer_name = fields.String(dump_only=True, allow_none=True)


class PushDeviceSchema(ma.Schema):
    device = fields.String(required=True, allow_none=True)
    created_at = fields.AwareDateTime(required=True)


class ExportedAccountSchema(ma.Schema):
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)
    push_devices = fields.List(fields.Nested(PushDeviceSchema), required=True)


class ParticipantExportSchema(ma.Schema):
    """Everything held about one participant; each record as the API writes it."""

    exported_at = fields.AwareDateTime(required=True)
    explanation = fields.String(required=True)
    participant = fields.Nested(ParticipantSchema, required=True)
    consents = fields.List(fields.Nested(ConsentSchema), required=True)
    career_profile = fields.Nested(CareerProfileSchema, required=True, allow_none=True)
    plan_goals = fields.List(fields.Nested(PlanGoalSchema), required=True)
    plan_steps = fields.List(fields.Nested(PlanStepSchema), required=True)
    meetings = fields.List(fields.Nested(MeetingSchema), required=True)
    employer_contacts = fields.List(fields.Nested(ExportedEmployerContactSchema), required=True)
    job_matches = fields.List(fields.Nested(ExportedJobMatchSchema), required=True)
    conflicts = fields.List(fields.Nested(ConflictSchema), required=True)
    account = fields.Nested(
        ExportedAccountSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The participant's login, if they have one."},
    )


class EraseSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    confirm = fields.UUID(
        required=True,
        metadata={"description": "The participant's id again, to guard against a slip."},
    )


class ErasureSchema(ma.Schema):
    id = fields.UUID(required=True)
    erased_at = fields.AwareDateTime(
        required=True,
        allow_none=True,
        metadata={"description": "When this request erased; null if it was erased before."},
    )
    already_erased = fields.Boolean(required=True)
    records_changed = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Records anonymised by this request, per entity."},
    )
    login_deactivated = fields.Boolean(required=True)
    push_subscriptions_deleted = fields.Integer(required=True)
    notifications_deleted = fields.Integer(required=True)
