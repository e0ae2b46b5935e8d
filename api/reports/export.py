"""Reports as CSV that opens right in a spreadsheet.

Bokmål (`lang=nb`, the default): semicolon-separated, decimal comma, a UTF-8 byte order mark
(so that a Norwegian Excel reads æ, ø and å and splits the columns). English (`lang=en`):
comma-separated, decimal point, no byte order mark. Column titles come from the catalog below.
Text that a spreadsheet would take for a formula (=, +, -, @ first) is made inert.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response, request

from api.reports.fidelity import fidelity_csv_rows
from api.reports.outcomes import outcomes_csv_rows

LANGUAGES = ("nb", "en")
FORMATS = ("json", "csv")

# Column titles, bokmål and English, by the column's key.
COLUMN_TITLES: dict[str, tuple[str, str]] = {
    "row": ("Rad", "Row"),
    "week": ("Uke", "Week"),
    "specialist_id": ("Jobbspesialist-id", "Specialist id"),
    "name": ("Navn", "Name"),
    "face_to_face_employer_contacts": (
        "Arbeidsgiverkontakter ansikt til ansikt",
        "Face-to-face employer contacts",
    ),
    "employer_contacts": ("Arbeidsgiverkontakter i alt", "All employer contacts"),
    "participant_meetings": ("Møter med deltakere", "Participant meetings"),
    "community_share": ("Andel møtetid ute i feltet", "Community share of meeting time"),
    "caseload": ("Deltakere", "Caseload"),
    "reviewed": ("Gjennomgått", "Reviewed"),
    "changed_after_review": ("Endret etter gjennomgang", "Changed after review"),
    # fidelity
    "item": ("Punkt", "Item"),
    "number": ("Nr. i IPS-25", "IPS-25 number"),
    "title": ("Tittel", "Title"),
    "score": ("Skår (1-5)", "Score (1-5)"),
    "value": ("Målt verdi", "Measured value"),
    "unit": ("Enhet", "Unit"),
    "cap": ("Høyeste mulige skår", "Highest score allowed"),
    # outcomes
    "quarter": ("Kvartal", "Quarter"),
    "active_caseload": ("Deltakere i kvartalet", "Active caseload"),
    "denominator": ("Nevner for sysselsettingsrate", "Employment rate denominator"),
    "employed": ("I ordinært arbeid", "Employed (competitive job)"),
    "employment_rate": ("Sysselsettingsrate", "Employment rate"),
    "job_starts": ("Jobbstarter", "Job starts"),
    "competitive_job_starts": ("Starter i ordinær jobb", "Competitive job starts"),
    "first_job_starts": ("Første jobb startet", "First job starts"),
    "median_days_to_first_job": (
        "Median dager fra oppstart til første jobb",
        "Median days from entry to first job",
    ),
    "retention_cohort": ("Jobber med dag 90 i kvartalet", "Jobs reaching day 90 in the quarter"),
    "retained_90_days": ("Beholdt jobben i 90 dager", "Retained 90 days"),
    "retention_90_days": ("Andel beholdt 90 dager", "90-day retention"),
    "jobs_ended": ("Jobber avsluttet", "Jobs ended"),
    "ended_quit": ("Avsluttet: sa opp selv", "Ended: quit"),
    "ended_dismissed": ("Avsluttet: oppsagt", "Ended: dismissed"),
    "ended_temporary_job_ended": ("Avsluttet: midlertidig jobb over", "Ended: temporary job over"),
    "ended_better_job": ("Avsluttet: bedre jobb", "Ended: better job"),
    "ended_other": ("Avsluttet: annet", "Ended: other"),
    "ended_unknown": ("Avsluttet: ukjent årsak", "Ended: reason unknown"),
}
WHOLE_TEAM = ("Hele teamet", "Whole team")

# The IPS-25 items in bokmål, by the fidelity report's item keys.
FIDELITY_TITLES_NB = {
    "caseload_size": "Antall deltakere per jobbspesialist",
    "employment_services_staff": "Jobbspesialistene arbeider bare med jobbstøtte",
    "vocational_generalists": "Jobbspesialisten følger hele prosessen",
    "integration_through_team_assignment": "Integrering i behandlingsteam",
    "integration_through_team_contact": "Hyppig kontakt med behandlingsteamet",
    "collaboration_with_vocational_rehabilitation": "Samarbeid med NAV",
    "vocational_unit": "IPS-enheten",
    "role_of_employment_supervisor": "Metodeveilederens rolle",
    "zero_exclusion_criteria": "Ingen utelukkelseskriterier",
    "agency_focus_on_competitive_employment": "Tjenestens fokus på ordinært arbeid",
    "executive_team_support": "Ledelsens støtte til IPS",
    "work_incentives_planning": "Veiledning om økonomi og ytelser",
    "disclosure": "Åpenhet",
    "work_based_vocational_assessment": "Løpende, arbeidsbasert kartlegging",
    "rapid_job_search": "Rask jobbsøking",
    "individualized_job_search": "Individuelt tilpasset jobbsøking",
    "frequent_employer_contact": "Jobbutvikling: hyppig arbeidsgiverkontakt",
    "quality_of_employer_contact": "Jobbutvikling: kvalitet i arbeidsgiverkontakten",
    "diversity_of_job_types": "Variasjon i jobbtyper",
    "diversity_of_employers": "Variasjon i arbeidsgivere",
    "competitive_jobs": "Ordinære jobber",
    "individualized_follow_along": "Individuelt tilpasset oppfølging",
    "time_unlimited_follow_along": "Tidsubegrenset oppfølging",
    "community_based_services": "Tjenester ute i samfunnet",
    "assertive_engagement_and_outreach": "Oppsøkende arbeid fra behandlingsteamet",
}
UNITS_NB = {
    "participants per full-time specialist": "deltakere per heltids jobbspesialist",
    "days": "dager",
    "face-to-face contacts per specialist per week": (
        "kontakter ansikt til ansikt per jobbspesialist per uke"
    ),
    "share of jobs obtained": "andel av jobbene",
    "share of meeting time in the community": "andel av møtetiden ute i feltet",
}

ROW_KINDS = {"specialist": ("jobbspesialist", "specialist"), "team": ("team", "team")}
YES_NO = {"nb": ("ja", "nei"), "en": ("yes", "no")}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportQuery(ma.Schema):
    """The query parameters every report takes for its format and language."""

    format = ma.fields.String(
        load_default="json",
        validate=ma.validate.OneOf(FORMATS, error="Use format=json or format=csv."),
        metadata={"description": "json (default) or csv."},
    )
    lang = ma.fields.String(
        validate=ma.validate.OneOf(LANGUAGES, error="Use lang=nb or lang=en."),
        metadata={
            "description": "CSV language: nb (semicolons, decimal comma, byte order mark) or "
            "en; default from Accept-Language, else nb."
        },
    )


EXPORT_QUERY = frozenset({"format", "lang"})

# For the OpenAPI document: a report's 200 response may also be CSV (`format=csv`).
CSV_RESPONSE: dict[str, Any] = {
    "content_type": "text/csv",
    "example": "\ufeffUke;Navn;Deltakere\r\n2026-W47;Anne;18\r\n",
    "success": True,
}


def language(query: dict[str, Any]) -> str:
    if query.get("lang"):
        return str(query["lang"])
    best = request.accept_languages.best_match(["nb", "no", "nn", "en"], default="nb")
    return "en" if best == "en" else "nb"


def title(key: str, lang: str) -> str:
    nb, en = COLUMN_TITLES[key]
    return nb if lang == "nb" else en


def cell(value: Any, lang: str) -> str:
    """One value as spreadsheet text in `lang`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = YES_NO[lang]
        return yes if value else no
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "nb" else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]], lang: str) -> str:
    out = io.StringIO()
    if lang == "nb":
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if lang == "nb" else ",", lineterminator="\r\n")
    writer.writerow([title(key, lang) for key in columns])
    for row in rows:
        writer.writerow([cell(value, lang) for value in row])
    return out.getvalue()


def csv_response(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], lang: str, filename: str
) -> Response:
    return Response(
        to_csv(columns, rows, lang).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.csv"',
            "Content-Language": lang,
        },
    )


def row_kind(kind: str, lang: str) -> str:
    nb, en = ROW_KINDS[kind]
    return nb if lang == "nb" else en


def weekly_csv_rows(report: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The weekly report as one row per specialist per week, then the team's rows."""
    numbers = [
        "face_to_face_employer_contacts",
        "employer_contacts",
        "participant_meetings",
        "community_share",
        "caseload",
    ]
    columns = ["row", "week", "specialist_id", "name", *numbers, "reviewed", "changed_after_review"]
    rows: list[list[Any]] = []
    for specialist in report["specialists"]:
        for week in specialist["weeks"]:
            rows.append(
                [
                    row_kind("specialist", lang),
                    week["week"],
                    specialist["specialist_id"],
                    specialist["name"],
                    *(week[key] for key in numbers),
                    week["reviewed"],
                    week["changed_after_review"],
                ]
            )
    for week in report["team"]["weeks"]:
        rows.append(
            [
                row_kind("team", lang),
                week["week"],
                None,
                None,
                *(week[key] for key in numbers),
                None,
                None,
            ]
        )
    return columns, rows


def fidelity_csv(report: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The fidelity report's rows, with item titles and units in bokmål when asked."""
    columns, rows = fidelity_csv_rows(report)
    if lang == "nb":
        at = {key: columns.index(key) for key in ("item", "title", "unit")}
        for row in rows:
            row[at["title"]] = FIDELITY_TITLES_NB.get(str(row[at["item"]]), row[at["title"]])
            if row[at["unit"]] is not None:
                row[at["unit"]] = UNITS_NB.get(str(row[at["unit"]]), row[at["unit"]])
    return columns, [list(row) for row in rows]


def outcomes_csv(report: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The outcomes report's rows: one per specialist, then the whole team."""
    columns, rows = outcomes_csv_rows(report)
    at_id, at_name = columns.index("specialist_id"), columns.index("name")
    team = WHOLE_TEAM[0] if lang == "nb" else WHOLE_TEAM[1]
    out = [list(row) for row in rows]
    for row in out:
        if row[at_id] is None:
            row[at_name] = team
    return columns, out
