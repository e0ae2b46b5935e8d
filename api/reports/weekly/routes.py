"""GET /api/v1/reports/weekly: the supervisor's weekly numbers per specialist."""

from __future__ import annotations

from typing import Any

from api.common.time import local_today, local_zone
from api.extensions import abort
from api.reports.common import ReportRoute, refuse_reversed, report_readers_specialists
from api.reports.export import csv_file
from api.reports.weekly.csv import csv_rows
from api.reports.weekly.schemas import WeeklyQuery, WeeklyReportSchema
from api.reports.weekly.service import DEFAULT_WEEKS, MAX_WEEKS, weekly_activity
from api.reports.weeks import IsoWeek, week_range


def weekly(query: dict[str, Any]) -> Any:
    """Weekly activity per specialist against the IPS targets (12 weeks up to this one by
    default): face-to-face and all employer contacts, participant meetings, the share of
    meeting time in community settings, caseload, and whether the week was reviewed.
    `format=csv` gives it as a spreadsheet (see `lang`)."""
    specialists = report_readers_specialists(query, WeeklyQuery)
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
        return csv_file(query, report, csv_rows, f"feltlogg-uker-{first}-{last}")
    return report


ROUTE = ReportRoute("/reports/weekly", WeeklyQuery, WeeklyReportSchema, weekly)
