"""GET /api/v1/reports/fidelity: the IPS-25 items that the logs can score, with evidence."""

from __future__ import annotations

from typing import Any

from api.access import current_actor
from api.audit.service import note_reads, report_entries
from api.common.time import local_today, local_zone
from api.extensions import abort
from api.reports.common import ReportRoute, refuse_reversed, report_readers_specialists
from api.reports.export import csv_file
from api.reports.fidelity.csv import csv_rows
from api.reports.fidelity.schemas import FidelityQuery, FidelityReportSchema
from api.reports.fidelity.service import (
    MAX_PERIOD_DAYS,
    NO_WHOLE_WEEK,
    default_first,
    default_last,
    fidelity_report,
    period_too_long,
    whole_weeks,
)


def fidelity(query: dict[str, Any]) -> Any:
    """The IPS-25 fidelity items that the logs can score (caseload size, rapid job search,
    frequent employer contact, diversity of job types and employers, competitive jobs,
    time-unlimited follow-along, community-based services), each with its score, value,
    anchors and evidence; the other items are listed as needing a reviewer. By default the 13
    whole weeks up to the last completed one; at most two years. `format=csv` gives the items
    as a spreadsheet."""
    specialists = report_readers_specialists(query, FidelityQuery)
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
        return csv_file(query, report, csv_rows, f"feltlogg-troskap-{first}-{last}")
    # The evidence names participants (ids, dates); the spreadsheet has the items only.
    note_reads(report_entries(current_actor(), "fidelity_report", report))
    return report


ROUTE = ReportRoute("/reports/fidelity", FidelityQuery, FidelityReportSchema, fidelity)
