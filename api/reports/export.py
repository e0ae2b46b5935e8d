"""Reports as CSV that opens right in a spreadsheet: what every report's CSV shares.

A report's own `csv.py` turns the report into columns (keys of `COLUMN_TITLES`) and rows in a
language; `csv_file` writes them. Bokmål (`lang=nb`, the default): semicolon-separated, decimal
comma, a UTF-8 byte order mark (so that a Norwegian Excel reads æ, ø and å and splits the
columns). English (`lang=en`): comma-separated, decimal point, no byte order mark. Column titles
come from the catalog below. Text that a spreadsheet would take for a formula (=, +, -, @ first)
is made inert.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response, request

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


def worded(words: tuple[str, str], lang: str) -> str:
    """The bokmål or the English of (bokmål, English)."""
    nb, en = words
    return nb if lang == "nb" else en


def title(key: str, lang: str) -> str:
    return worded(COLUMN_TITLES[key], lang)


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


CsvRows = Callable[[dict[str, Any], str], tuple[list[str], list[list[Any]]]]


def csv_file(
    query: dict[str, Any], report: dict[str, Any], csv_rows: CsvRows, name: str
) -> Response:
    """The report as `name`.csv, in the language the query asks for; `csv_rows(report, lang)`
    gives its columns and rows."""
    lang = language(query)
    columns, rows = csv_rows(report, lang)
    return csv_response(columns, rows, lang, name)
