"""The fidelity report as a spreadsheet: a row per item, with titles and units in bokmål when
asked."""

from __future__ import annotations

from typing import Any

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

COLUMNS = ("item", "number", "title", "score", "value", "unit", "cap")


def fidelity_csv_rows(report: dict[str, Any]) -> tuple[list[str], list[list[object]]]:
    """One row per scored item (the cap is the highest score allowed, if any), then one per
    item that needs a reviewer, with no score."""
    rows: list[list[object]] = [
        [
            item["item"],
            item["number"],
            item["title"],
            item["score"],
            item["value"],
            item["unit"],
            item["cap"]["max_score"] if item["cap"] else None,
        ]
        for item in report["items"]
    ]
    rows += [
        [item["item"], item["number"], item["title"], None, None, None, None]
        for item in report["needs_reviewer"]
    ]
    return list(COLUMNS), rows


def csv_rows(report: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The fidelity report's rows, with item titles and units in bokmål when asked."""
    columns, rows = fidelity_csv_rows(report)
    if lang == "nb":
        at = {key: columns.index(key) for key in ("item", "title", "unit")}
        for row in rows:
            row[at["title"]] = FIDELITY_TITLES_NB.get(str(row[at["item"]]), row[at["title"]])
            if row[at["unit"]] is not None:
                row[at["unit"]] = UNITS_NB.get(str(row[at["unit"]]), row[at["unit"]])
    return columns, [list(row) for row in rows]
