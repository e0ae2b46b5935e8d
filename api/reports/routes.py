"""GET /api/v1/reports/weekly: the supervisor's weekly numbers per specialist."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.common.time import local_today, local_zone
from api.extensions import abort
from api.reports.common import blp, refuse_reversed, report_readers_specialists
from api.reports.export import (
    CSV_RESPONSE,
    EXPORT_QUERY,
    ExportQuery,
    csv_response,
    language,
    weekly_csv_rows,
)
from api.reports.weekly import weekly_activity
from api.reports.weeks import IsoWeek, week_range

DEFAULT_WEEKS = 12
MAX_WEEKS = 106  # two years and a bit


class WeekField(ma.fields.Field):
    """An ISO week, 2026-W47."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> IsoWeek:
        if not isinstance(value, str):
            raise ma.ValidationError("Write the week like 2026-W47.")
        try:
            return IsoWeek.parse(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from error


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


@blp.route("/reports/weekly", methods=["GET"])
@blp.arguments(WeeklyQuery, location="query")
@blp.response(200, WeeklyReportSchema)
@blp.alt_response(200, **CSV_RESPONSE)
def weekly(query: dict[str, Any]) -> Any:
    """Weekly activity per specialist against the IPS targets (12 weeks up to this one by
    default): face-to-face and all employer contacts, participant meetings, the share of
    meeting time in community settings, caseload, and whether the week was reviewed.
    `format=csv` gives it as a spreadsheet (see `lang`)."""
    specialists = report_readers_specialists(
        query.get("team_id"), frozenset({"from", "to", "team_id"}) | EXPORT_QUERY
    )
    last = query.get("last") or IsoWeek.of(local_today())
    first = query.get("first") or last.shifted(-(DEFAULT_WEEKS - 1))
    refuse_reversed(first, last)
    weeks = week_range(first, last)
    if len(weeks) > MAX_WEEKS:
        abort(
            422,
            message=f"At most {MAX_WEEKS} weeks at a time.",
            errors={"from": [f"At most {MAX_WEEKS} weeks before 'to'."]},
        )
    report = weekly_activity(specialists, weeks, local_zone())
    if query["format"] == "csv":
        lang = language(query)
        columns, rows = weekly_csv_rows(report, lang)
        return csv_response(columns, rows, lang, f"feltlogg-uker-{first}-{last}")
    return report


# The other reports put their routes on the same blueprint, each from its own module.
from api.reports import fidelity_routes, outcomes_routes  # noqa: E402, F401
