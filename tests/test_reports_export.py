"""Reports as CSV: bokmål opens right in a Norwegian spreadsheet (semicolons, decimal comma,
byte order mark), English is plain comma-separated; bad format or language changes nothing."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest

from api.reports.export import COLUMN_TITLES, cell, to_csv
from tests.factories import oslo

WEEKLY = "/api/v1/reports/weekly"
BOM = "\ufeff"


def _rows(body: bytes, delimiter: str) -> list[list[str]]:
    text = body.decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=delimiter))


def test_a_value_is_written_as_a_spreadsheet_in_the_language_reads_it():
    assert cell(0.65, "nb") == "0,65"
    assert cell(0.65, "en") == "0.65"
    assert cell(2 / 3, "nb") == "0,6667"
    assert cell(1.0, "nb") == "1"
    assert cell(12, "nb") == "12"
    assert cell(None, "nb") == ""
    assert (cell(True, "nb"), cell(False, "nb")) == ("ja", "nei")
    assert (cell(True, "en"), cell(False, "en")) == ("yes", "no")
    assert cell(date(2026, 11, 23), "nb") == "2026-11-23"
    some_id = uuid.uuid4()
    assert cell(some_id, "en") == str(some_id)


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+47", "-1", "@SUM(A1)"])
def test_text_a_spreadsheet_would_run_as_a_formula_is_made_inert(text):
    assert cell(text, "nb") == "'" + text


def test_bokmal_csv_has_a_byte_order_mark_semicolons_and_quotes_where_needed():
    text = to_csv(["name", "community_share"], [["Ås; Ørje", 0.5]], "nb")
    assert text.startswith(BOM)
    assert text == BOM + 'Navn;Andel møtetid ute i feltet\r\n"Ås; Ørje";0,5\r\n'
    english = to_csv(["name", "community_share"], [["Ås, Ørje", 0.5]], "en")
    assert english == 'Name,Community share of meeting time\r\n"Ås, Ørje",0.5\r\n'


def test_every_column_has_a_title_in_both_languages():
    for key, (nb, en) in COLUMN_TITLES.items():
        assert nb and en, key


@pytest.fixture
def team(make):
    supervisor = make.user("supervisor")
    js1 = make.user("specialist", team=supervisor.team, name="Åse Ødegård")
    employer = make.employer(js1)
    participant = make.participant(js1, enrolled_on=date(2026, 1, 5))
    # Week 47: 2 face-to-face contacts and a phone call; 60 + 45 community minutes, 45 office.
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 17))
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 18))
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 18), mode="phone")
    make.meeting(participant, starts_at=oslo(2026, 11, 17), duration_minutes=60)
    make.meeting(participant, starts_at=oslo(2026, 11, 18), duration_minutes=45)
    make.meeting(participant, starts_at=oslo(2026, 11, 19), duration_minutes=45, setting="office")
    make.week_review(supervisor, js1, iso_year=2026, iso_week=47)
    return supervisor, js1


def test_the_weekly_report_as_bokmal_csv_opens_right_in_a_norwegian_spreadsheet(
    client, login, team
):
    supervisor, js1 = team
    response = client.get(
        WEEKLY,
        query_string={"from": "2026-W47", "to": "2026-W47", "format": "csv", "lang": "nb"},
        headers=login(supervisor),
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="feltlogg-uker-2026-W47-2026-W47.csv"'
    )
    assert response.data.startswith(BOM.encode("utf-8"))
    header, specialist, whole_team = _rows(response.data, ";")
    assert header == [
        "Rad",
        "Uke",
        "Jobbspesialist-id",
        "Navn",
        "Arbeidsgiverkontakter ansikt til ansikt",
        "Arbeidsgiverkontakter i alt",
        "Møter med deltakere",
        "Andel møtetid ute i feltet",
        "Deltakere",
        "Gjennomgått",
        "Endret etter gjennomgang",
    ]
    # 105 of 150 minutes in the community: 0.7, with a decimal comma.
    assert specialist == [
        "jobbspesialist",
        "2026-W47",
        str(js1.id),
        "Åse Ødegård",
        "2",
        "3",
        "3",
        "0,7",
        "1",
        "ja",
        "nei",
    ]
    assert whole_team == ["team", "2026-W47", "", "", "2", "3", "3", "0,7", "1", "", ""]


def test_the_language_follows_accept_language_when_not_named(client, login, team):
    supervisor, _ = team
    query = {"from": "2026-W47", "to": "2026-W47", "format": "csv"}
    english = client.get(
        WEEKLY, query_string=query, headers={**login(supervisor), "Accept-Language": "en-GB"}
    )
    assert not english.data.startswith(BOM.encode("utf-8"))
    header, specialist, _ = _rows(english.data, ",")
    assert header[0:2] == ["Row", "Week"]
    assert specialist[7] == "0.7" and specialist[9] == "yes"
    norwegian = client.get(
        WEEKLY, query_string=query, headers={**login(supervisor), "Accept-Language": "nb-NO"}
    )
    assert norwegian.data.startswith(BOM.encode("utf-8"))
    default = client.get(WEEKLY, query_string=query, headers=login(supervisor))
    assert default.data == norwegian.data


@pytest.mark.parametrize(
    ("query", "field"),
    [({"format": "xlsx"}, "format"), ({"format": "csv", "lang": "de"}, "lang")],
)
def test_an_unknown_format_or_language_says_which_there_are(client, login, team, query, field):
    supervisor, _ = team
    response = client.get(WEEKLY, query_string=query, headers=login(supervisor))
    assert response.status_code == 422
    assert field in str(response.json)
    assert "Use " in str(response.json)


def test_participants_get_no_csv_either(client, make, login, team):
    _, js1 = team
    participant = make.participant(js1)
    response = client.get(
        WEEKLY, query_string={"format": "csv"}, headers=login(make.participant_user(participant))
    )
    assert response.status_code == 403
    assert response.mimetype != "text/csv"


def test_the_fidelity_report_as_csv_has_a_row_per_item_with_bokmal_titles(client, login, team):
    supervisor, _ = team
    # Weeks 46-47: js1 made 2 face-to-face contacts in week 47 (1 a week), the week 47 review.
    query = {"from": "2026-11-09", "to": "2026-11-22", "format": "csv", "lang": "nb"}
    response = client.get("/api/v1/reports/fidelity", query_string=query, headers=login(supervisor))
    assert response.status_code == 200, response.data[:300]
    header, *rows = _rows(response.data, ";")
    assert header == [
        "Punkt",
        "Nr. i IPS-25",
        "Tittel",
        "Skår (1-5)",
        "Målt verdi",
        "Enhet",
        "Høyeste mulige skår",
    ]
    by_item = {row[0]: row for row in rows}
    assert len(rows) == 25 and len(by_item) == 25
    contact = by_item["frequent_employer_contact"]
    assert contact[1:4] == ["17", "Jobbutvikling: hyppig arbeidsgiverkontakt", "1"]
    assert contact[4:6] == ["1", "kontakter ansikt til ansikt per jobbspesialist per uke"]
    # One participant on a full-time caseload: 1 per specialist, scores 5.
    assert by_item["caseload_size"][3:5] == ["5", "1"]
    # Meetings: 105 of 150 minutes in the community (0.7) scores 5.
    assert by_item["community_based_services"][3:5] == ["5", "0,7"]
    # Items that need a reviewer are there, without a score.
    assert by_item["disclosure"][2:5] == ["Åpenhet", "", ""]


def test_the_outcomes_report_as_csv_has_a_row_per_specialist_and_the_team(client, make, login):
    supervisor = make.user("supervisor")
    js1 = make.user("specialist", team=supervisor.team, name="Åse Ødegård")
    employer = make.employer(js1)
    # Two participants in Q3 2026; one got a competitive job on 1 August (ended by a better job
    # on 30 September): employment rate 1/2.
    worker = make.participant(js1, enrolled_on=date(2026, 6, 1))
    make.participant(js1, enrolled_on=date(2026, 6, 1))
    make.job_match(
        worker,
        employer,
        status="ended",
        started_on=date(2026, 8, 1),
        ended_on=date(2026, 9, 30),
        end_reason="better_job",
        competitive=True,
    )
    response = client.get(
        "/api/v1/reports/outcomes",
        query_string={"quarter": "2026-Q3", "format": "csv", "lang": "nb"},
        headers=login(supervisor),
    )
    assert response.status_code == 200, response.data[:300]
    assert response.headers["Content-Disposition"].endswith('feltlogg-resultater-2026-Q3.csv"')
    header, specialist, whole_team = _rows(response.data, ";")
    line = dict(zip(header, specialist, strict=True))
    assert line["Kvartal"] == "2026-Q3" and line["Navn"] == "Åse Ødegård"
    assert line["Deltakere i kvartalet"] == "2"
    assert line["Sysselsettingsrate"] == "0,5"
    assert line["Jobbstarter"] == "1"
    # 1 June to 1 August: 61 days.
    assert line["Median dager fra oppstart til første jobb"] == "61"
    assert line["Avsluttet: bedre jobb"] == "1"
    team_line = dict(zip(header, whole_team, strict=True))
    assert team_line["Navn"] == "Hele teamet" and team_line["Sysselsettingsrate"] == "0,5"
