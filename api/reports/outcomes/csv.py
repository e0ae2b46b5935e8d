"""The outcomes report as a spreadsheet: a row per specialist, then the whole team's."""

from __future__ import annotations

from typing import Any

from api.reports.export import worded
from api.reports.outcomes.service import REASONS

WHOLE_TEAM = ("Hele teamet", "Whole team")

NUMBERS = (
    "active_caseload",
    "denominator",
    "employed",
    "employment_rate",
    "job_starts",
    "competitive_job_starts",
    "first_job_starts",
    "median_days_to_first_job",
    "retention_cohort",
    "retained_90_days",
    "retention_90_days",
    "jobs_ended",
)
COLUMNS = ("quarter", "specialist_id", "name", *NUMBERS, *(f"ended_{reason}" for reason in REASONS))


def outcomes_csv_rows(
    report: dict[str, Any], team: str = "Team"
) -> tuple[list[str], list[list[object]]]:
    """The outcomes report as one row per specialist, then the team's row (named `team`)."""

    def line(specialist_id: object, name: str, numbers: dict[str, Any]) -> list[object]:
        return [
            report["quarter"],
            specialist_id,
            name,
            *(numbers[key] for key in NUMBERS),
            *(numbers["ended_by_reason"][reason] for reason in REASONS),
        ]

    rows = [line(row["specialist_id"], row["name"], row) for row in report["specialists"]]
    rows.append(line(None, team, report["team"]))
    return list(COLUMNS), rows


def csv_rows(report: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The outcomes report's rows: one per specialist, then the whole team."""
    return outcomes_csv_rows(report, worded(WHOLE_TEAM, lang))
