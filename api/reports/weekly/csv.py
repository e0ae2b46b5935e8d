"""The weekly report as a spreadsheet: a row per specialist per week, then the team's rows."""

from __future__ import annotations

from typing import Any

from api.reports.export import worded

NUMBERS = (
    "face_to_face_employer_contacts",
    "employer_contacts",
    "participant_meetings",
    "community_share",
    "caseload",
)
COLUMNS = ("row", "week", "specialist_id", "name", *NUMBERS, "reviewed", "changed_after_review")
# What the `row` column says a row is, in bokmål and English.
ROW_KINDS = {"specialist": ("jobbspesialist", "specialist"), "team": ("team", "team")}


def csv_rows(report: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The weekly report as one row per specialist per week, then the team's rows."""
    specialist, team = (worded(ROW_KINDS[kind], lang) for kind in ("specialist", "team"))
    rows: list[list[Any]] = [
        [
            specialist,
            week["week"],
            row["specialist_id"],
            row["name"],
            *(week[key] for key in NUMBERS),
            week["reviewed"],
            week["changed_after_review"],
        ]
        for row in report["specialists"]
        for week in row["weeks"]
    ]
    rows += [
        [team, week["week"], None, None, *(week[key] for key in NUMBERS), None, None]
        for week in report["team"]["weeks"]
    ]
    return list(COLUMNS), rows
