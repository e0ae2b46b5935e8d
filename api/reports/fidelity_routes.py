"""GET /api/v1/reports/fidelity: the IPS-25 items that the logs can score, with evidence."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.access import current_actor
from api.audit.service import note_reads, report_entries
from api.common.time import local_today, local_zone
from api.extensions import abort
from api.reports.common import blp, refuse_reversed, report_readers_specialists
from api.reports.export import (
    CSV_RESPONSE,
    EXPORT_QUERY,
    ExportQuery,
    csv_response,
    fidelity_csv,
    language,
)
from api.reports.fidelity import (
    MAX_PERIOD_DAYS,
    NO_WHOLE_WEEK,
    default_first,
    default_last,
    fidelity_report,
    period_too_long,
    whole_weeks,
)

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


@blp.route("/reports/fidelity", methods=["GET"])
@blp.arguments(FidelityQuery, location="query")
@blp.response(200, FidelityReportSchema)
@blp.alt_response(200, **CSV_RESPONSE)
def fidelity(query: dict[str, Any]) -> Any:
    """The IPS-25 fidelity items that the logs can score (caseload size, rapid job search,
    frequent employer contact, diversity of job types and employers, competitive jobs,
    time-unlimited follow-along, community-based services), each with its score, value,
    anchors and evidence; the other items are listed as needing a reviewer. By default the 13
    whole weeks up to the last completed one; at most two years. `format=csv` gives the items
    as a spreadsheet."""
    specialists = report_readers_specialists(
        query.get("team_id"), frozenset({"from", "to", "team_id"}) | EXPORT_QUERY
    )
    last = query.get("last") or default_last(local_today())
    first = query.get("first") or default_first(last)
    refuse_reversed(first, last)
    if period_too_long(first, last):
        abort(
            422,
            message=f"At most two years ({MAX_PERIOD_DAYS} days) at a time.",
            errors={"from": [f"At most {MAX_PERIOD_DAYS} days before 'to'."]},
        )
    if not whole_weeks(first, last):
        abort(422, message=NO_WHOLE_WEEK, errors={"from": [NO_WHOLE_WEEK]})
    report = fidelity_report(specialists, first, last, local_zone())
    if query["format"] == "csv":
        lang = language(query)
        columns, rows = fidelity_csv(report, lang)
        return csv_response(columns, rows, lang, f"feltlogg-troskap-{first}-{last}")
    # The evidence names participants (ids, dates); the spreadsheet has the items only.
    note_reads(report_entries(current_actor(), "fidelity_report", report))
    return report
