"""What GET /api/v1/reports/weekly reads from the query string and answers."""

from __future__ import annotations

import marshmallow as ma

from api.reports.common import ParsedField
from api.reports.export import ExportQuery
from api.reports.weeks import IsoWeek


class WeekField(ParsedField):
    """An ISO week, 2026-W47."""

    hint = "Write the week like 2026-W47."
    parse = staticmethod(IsoWeek.parse)


class WeeklyQuery(ExportQuery):
    first = WeekField(data_key="from", metadata={"description": "First ISO week, e.g. 2026-W36."})
    last = WeekField(data_key="to", metadata={"description": "Last ISO week (default: this week)."})
    team_id = ma.fields.UUID(metadata={"description": "The team (admins must name one)."})


# Every field is always there: `required` marks it so in the OpenAPI document, so the app's
# generated types need no checks for absent fields.


class WeekRowSchema(ma.Schema):
    week = ma.fields.String(required=True)
    face_to_face_employer_contacts = ma.fields.Integer(required=True)
    employer_contacts = ma.fields.Integer(required=True)
    participant_meetings = ma.fields.Integer(required=True)
    community_share = ma.fields.Float(
        allow_none=True,
        metadata={"description": "Share of meeting minutes in the community; null: no meetings."},
        required=True,
    )
    caseload = ma.fields.Integer(required=True)


class SpecialistWeekSchema(WeekRowSchema):
    reviewed = ma.fields.Boolean(required=True)
    changed_after_review = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "Reviewed, and contacts or meetings of the week were logged, changed "
            "or deleted after the review (work logged late)."
        },
    )


class SpecialistRowSchema(ma.Schema):
    specialist_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    weeks = ma.fields.List(ma.fields.Nested(SpecialistWeekSchema), required=True)


class TeamWeekSchema(WeekRowSchema):
    face_to_face_employer_contacts_per_specialist = ma.fields.Float(allow_none=True, required=True)
    reviewed_specialists = ma.fields.Integer(required=True)


class TeamRowSchema(ma.Schema):
    specialists = ma.fields.Integer(required=True)
    weeks = ma.fields.List(ma.fields.Nested(TeamWeekSchema), required=True)


class TargetsSchema(ma.Schema):
    face_to_face_employer_contacts = ma.fields.Integer(
        metadata={"description": "Per specialist per week."}, required=True
    )
    community_share = ma.fields.Float(required=True)
    caseload = ma.fields.Integer(
        metadata={"description": "Per full-time specialist."}, required=True
    )


class WeeklyReportSchema(ma.Schema):
    first = ma.fields.String(data_key="from", attribute="from", required=True)
    last = ma.fields.String(data_key="to", attribute="to", required=True)
    weeks = ma.fields.List(ma.fields.String(), required=True)
    targets = ma.fields.Nested(TargetsSchema, required=True)
    specialists = ma.fields.List(ma.fields.Nested(SpecialistRowSchema), required=True)
    team = ma.fields.Nested(TeamRowSchema, required=True)
