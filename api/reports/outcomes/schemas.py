"""What GET /api/v1/reports/outcomes reads from the query string and answers."""

from __future__ import annotations

import marshmallow as ma

from api.jobs.models import END_REASONS
from api.reports.common import ParsedField
from api.reports.export import ExportQuery
from api.reports.outcomes.service import DENOMINATORS, UNKNOWN_REASON, Quarter


class QuarterField(ParsedField, ma.fields.String):
    """A calendar quarter, 2026-Q3 (a string in the OpenAPI document)."""

    hint = "Write the quarter like 2026-Q3."
    parse = staticmethod(Quarter.parse)


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


# Every field is always there (see weekly/schemas.py).

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
