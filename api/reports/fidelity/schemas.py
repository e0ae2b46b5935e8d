"""What GET /api/v1/reports/fidelity reads from the query string and answers."""

from __future__ import annotations

import marshmallow as ma

from api.reports.export import ExportQuery

DATE_HINT = "Write the date like 2026-11-22."


class FidelityQuery(ExportQuery):
    first = ma.fields.Date(
        data_key="from",
        error_messages={"invalid": DATE_HINT},
        metadata={"description": "First day, e.g. 2026-08-24 (default: 90 days before 'to')."},
    )
    last = ma.fields.Date(
        data_key="to",
        error_messages={"invalid": DATE_HINT},
        metadata={"description": "Last day (default: the Sunday that ended the last whole week)."},
    )
    team_id = ma.fields.UUID(metadata={"description": "The team (admins must name one)."})


# Every field is always there: `required` marks it so in the OpenAPI document.


class AnchorSchema(ma.Schema):
    score = ma.fields.Integer(required=True)
    text = ma.fields.String(required=True)


class CapSchema(ma.Schema):
    max_score = ma.fields.Integer(required=True)
    reason = ma.fields.String(required=True)
    uncapped_score = ma.fields.Integer(required=True)


class FidelityItemSchema(ma.Schema):
    item = ma.fields.String(required=True, metadata={"description": "A stable key."})
    number = ma.fields.Integer(required=True, metadata={"description": "IPS-25 item number."})
    title = ma.fields.String(required=True)
    score = ma.fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "1 to 5, after any cap; null: no data to score (see reason)."},
    )
    reason = ma.fields.String(
        allow_none=True, required=True, metadata={"description": "Why there is no score."}
    )
    value = ma.fields.Float(allow_none=True, required=True, metadata={"description": "Measured."})
    unit = ma.fields.String(required=True)
    anchors = ma.fields.List(ma.fields.Nested(AnchorSchema), required=True)
    cap = ma.fields.Nested(
        CapSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The highest score the evidence allows, and why; else null."},
    )
    evidence = ma.fields.Dict(
        keys=ma.fields.String(),
        required=True,
        metadata={"description": "The rows behind the value: ids, dates and counts."},
    )


class ReviewerItemSchema(ma.Schema):
    item = ma.fields.String(required=True)
    number = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class FidelitySpecialistSchema(ma.Schema):
    specialist_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class FidelityTotalSchema(ma.Schema):
    score = ma.fields.Integer(required=True, metadata={"description": "Of the scored items."})
    items_scored = ma.fields.Integer(required=True)


class FidelityReportSchema(ma.Schema):
    first = ma.fields.String(data_key="from", attribute="from", required=True)
    last = ma.fields.String(data_key="to", attribute="to", required=True)
    weeks = ma.fields.List(ma.fields.String(), required=True)
    specialists = ma.fields.List(ma.fields.Nested(FidelitySpecialistSchema), required=True)
    items = ma.fields.List(ma.fields.Nested(FidelityItemSchema), required=True)
    total = ma.fields.Nested(FidelityTotalSchema, required=True)
    needs_reviewer = ma.fields.List(ma.fields.Nested(ReviewerItemSchema), required=True)
