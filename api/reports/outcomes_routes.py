"""GET /api/v1/reports/outcomes: employment and job outcomes per specialist for a quarter."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.common.time import local_today
from api.extensions import abort
from api.jobs.models import END_REASONS
from api.reports.common import blp, report_readers_specialists
from api.reports.export import (
    CSV_RESPONSE,
    EXPORT_QUERY,
    ExportQuery,
    csv_response,
    language,
    outcomes_csv,
)
from api.reports.outcomes import (
    DENOMINATORS,
    UNKNOWN_REASON,
    Quarter,
    last_completed_quarter,
    outcomes,
)


class QuarterField(ma.fields.String):
    """A calendar quarter, 2026-Q3 (a string in the OpenAPI document)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ma.ValidationError("Write the quarter like 2026-Q3.")
        try:
            return Quarter.parse(value)
        except ValueError as error:
            raise ma.ValidationError(str(error)) from error


class OutcomesQuery(ExportQuery):
    quarter = QuarterField(
        metadata={
            "description": "The quarter, e.g. 2026-Q3 (default: the last completed one).",
            "pattern": r"^\d{4}-Q[1-4]$",
        }
    )
    denominator = ma.fields.String(
        load_default="caseload",
        validate=ma.validate.OneOf(
            DENOMINATORS, error="Use denominator=caseload or denominator=out_of_work_at_entry."
        ),
        metadata={
            "description": "Who the employment rate is out of: the whole active caseload "
            "(default) or only those out of work at entry."
        },
    )
    team_id = ma.fields.UUID(metadata={"description": "The team (admins must name one)."})


# Every field is always there (see routes.py).

EndedByReasonSchema = ma.Schema.from_dict(
    {reason: ma.fields.Integer(required=True) for reason in (*END_REASONS, UNKNOWN_REASON)},
    name="EndedByReasonSchema",
)


class OutcomeNumbersSchema(ma.Schema):
    active_caseload = ma.fields.Integer(
        required=True, metadata={"description": "Participants in the programme in the quarter."}
    )
    denominator = ma.fields.Integer(
        required=True, metadata={"description": "Those of them the employment rate is out of."}
    )
    employed = ma.fields.Integer(
        required=True,
        metadata={"description": "Those in the denominator in a competitive job in the quarter."},
    )
    employment_rate = ma.fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "employed / denominator; null: no one in the denominator."},
    )
    job_starts = ma.fields.Integer(required=True)
    competitive_job_starts = ma.fields.Integer(required=True)
    first_job_starts = ma.fields.Integer(
        required=True,
        metadata={"description": "Participants whose first job (since entry) began in it."},
    )
    median_days_to_first_job = ma.fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "Days from entry to that first job; null: no first jobs."},
    )
    retention_cohort = ma.fields.Integer(
        required=True, metadata={"description": "Jobs whose 90th day falls in the quarter."}
    )
    retained_90_days = ma.fields.Integer(
        required=True, metadata={"description": "Those of them not ended before their 90th day."}
    )
    retention_90_days = ma.fields.Float(
        allow_none=True,
        required=True,
        metadata={"description": "retained_90_days / retention_cohort; null: no such jobs."},
    )
    jobs_ended = ma.fields.Integer(required=True)
    ended_by_reason = ma.fields.Nested(
        EndedByReasonSchema,
        required=True,
        metadata={"description": "Jobs ended in the quarter by reason; unknown: none given."},
    )


class SpecialistOutcomesSchema(OutcomeNumbersSchema):
    specialist_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class EmploymentBenchmarksSchema(ma.Schema):
    minimal = ma.fields.Float(required=True)
    average = ma.fields.Float(required=True)
    excellent = ma.fields.Float(required=True)


class OutcomesReportSchema(ma.Schema):
    quarter = ma.fields.String(required=True)
    first = ma.fields.Date(data_key="from", attribute="from", required=True)
    last = ma.fields.Date(
        data_key="to",
        attribute="to",
        required=True,
        metadata={"description": "The quarter's last day, or today for a quarter under way."},
    )
    denominator = ma.fields.String(required=True)
    benchmarks = ma.fields.Nested(
        EmploymentBenchmarksSchema,
        required=True,
        metadata={"description": "Employment-rate benchmarks (US learning collaborative)."},
    )
    specialists = ma.fields.List(ma.fields.Nested(SpecialistOutcomesSchema), required=True)
    team = ma.fields.Nested(
        OutcomeNumbersSchema,
        required=True,
        metadata={"description": "Sums over the specialists; rates and median from those."},
    )


@blp.route("/reports/outcomes", methods=["GET"])
@blp.arguments(OutcomesQuery, location="query")
@blp.response(200, OutcomesReportSchema)
@blp.alt_response(200, **CSV_RESPONSE)
def outcomes_report(query: dict[str, Any]) -> Any:
    """Outcomes per specialist for a quarter (the last completed one by default): the
    employment rate against the benchmarks, job starts, the median days from entry to a first
    job, 90-day job retention, and jobs ended by reason. Participants count for the specialist
    they have now. `format=csv` gives it as a spreadsheet."""
    specialists = report_readers_specialists(
        query.get("team_id"), frozenset({"quarter", "denominator", "team_id"}) | EXPORT_QUERY
    )
    today = local_today()
    quarter = query.get("quarter") or last_completed_quarter(today)
    if quarter.first_day > today:
        abort(
            422,
            message=f"{quarter} has not begun.",
            errors={"quarter": [f"Pick a quarter up to {Quarter.of(today)}."]},
        )
    report = outcomes(specialists, quarter, query["denominator"], today)
    if query["format"] == "csv":
        lang = language(query)
        columns, rows = outcomes_csv(report, lang)
        return csv_response(columns, rows, lang, f"feltlogg-resultater-{quarter}")
    return report
