"""GET /api/v1/reports/outcomes: employment and job outcomes per specialist for a quarter."""

from __future__ import annotations

from typing import Any

from api.common.time import local_today
from api.extensions import abort
from api.reports.common import ReportRoute, report_readers_specialists
from api.reports.export import csv_file
from api.reports.outcomes.csv import csv_rows
from api.reports.outcomes.schemas import OutcomesQuery, OutcomesReportSchema
from api.reports.outcomes.service import Quarter, last_completed_quarter, outcomes


def outcomes_report(query: dict[str, Any]) -> Any:
    """Outcomes per specialist for a quarter (the last completed one by default): the
    employment rate against the benchmarks, job starts, the median days from entry to a first
    job, 90-day job retention, and jobs ended by reason. Participants count for the specialist
    they have now. `format=csv` gives it as a spreadsheet."""
    specialists = report_readers_specialists(query, OutcomesQuery)
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
        return csv_file(query, report, csv_rows, f"feltlogg-resultater-{quarter}")
    return report


ROUTE = ReportRoute("/reports/outcomes", OutcomesQuery, OutcomesReportSchema, outcomes_report)
