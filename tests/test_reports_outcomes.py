"""Outcomes per quarter (GET /api/v1/reports/outcomes), on hand-computed fixtures.

2026-Q3 runs from Wednesday 1 July to Wednesday 30 September 2026. A job's 90th day falls in
Q3 when it started between 2 April (+90 days = 1 July) and 2 July (+90 days = 30 September).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from api.extensions import db
from api.reports.outcomes.csv import outcomes_csv_rows
from api.reports.outcomes.service import (
    Quarter,
    days_to_first_job,
    last_completed_quarter,
    median,
    outcomes,
    retained,
)

OUTCOMES = "/api/v1/reports/outcomes"
OSLO = ZoneInfo("Europe/Oslo")
TODAY = date(2026, 11, 23)
Q3 = {"quarter": "2026-Q3"}
NO_ENDS = {
    "quit": 0,
    "dismissed": 0,
    "temporary_job_ended": 0,
    "better_job": 0,
    "other": 0,
    "unknown": 0,
}


# --- plain functions ---------------------------------------------------------------------------


def test_a_quarter_is_written_like_2026_q3_and_anything_else_says_how_to_write_it():
    q3 = Quarter.parse("2026-Q3")
    assert q3 == Quarter(2026, 3) and str(q3) == "2026-Q3"
    assert (q3.first_day, q3.last_day) == (date(2026, 7, 1), date(2026, 9, 30))
    assert (Quarter(2026, 1).first_day, Quarter(2026, 1).last_day) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
    )
    assert Quarter(2026, 2).last_day == date(2026, 6, 30)
    assert Quarter(2026, 4).last_day == date(2026, 12, 31)
    for bad in ("2026-Q5", "2026-Q0", "2026Q3", "2026-3", "Q3", "2026-q3", "26-Q3", ""):
        with pytest.raises(ValueError, match="2026-Q3"):
            Quarter.parse(bad)


def test_the_default_quarter_is_the_last_completed_one():
    assert Quarter.of(date(2026, 9, 30)) == Quarter(2026, 3)
    assert Quarter.of(date(2026, 10, 1)) == Quarter(2026, 4)
    assert last_completed_quarter(date(2026, 11, 23)) == Quarter(2026, 3)
    assert last_completed_quarter(date(2026, 10, 1)) == Quarter(2026, 3)
    assert last_completed_quarter(date(2027, 1, 1)) == Quarter(2026, 4)
    assert Quarter(2026, 1).shifted(-1) == Quarter(2025, 4)


def test_the_median_of_an_odd_and_an_even_count_and_of_none():
    assert median([100, 10, 30]) == 30
    assert median([41, 20]) == 30.5  # (20 + 41) / 2
    assert median([]) is None


def test_a_job_is_retained_when_it_did_not_end_before_its_90th_day():
    start = date(2026, 5, 1)
    assert not retained(start, start + timedelta(days=89))
    assert retained(start, start + timedelta(days=90))
    assert retained(start, None)


def test_days_to_first_job_count_from_entry_and_a_job_from_before_entry_is_none():
    assert days_to_first_job(date(2026, 6, 1), date(2026, 7, 1)) == 30
    assert days_to_first_job(date(2026, 7, 1), date(2026, 7, 1)) == 0
    assert days_to_first_job(date(2026, 7, 1), date(2026, 6, 30)) is None


def test_a_quarter_under_way_counts_up_to_today_and_one_to_come_is_refused(make):
    report = outcomes([], Quarter(2026, 4), "caseload", TODAY)
    assert (report["from"], report["to"]) == (date(2026, 10, 1), date(2026, 11, 23))
    assert report["team"]["employment_rate"] is None
    with pytest.raises(ValueError, match="not begun"):
        outcomes([], Quarter(2027, 1), "caseload", TODAY)


# --- the report --------------------------------------------------------------------------------


@pytest.fixture
def team(make: Any) -> Any:
    supervisor = make.user("supervisor")
    js1 = make.user("specialist", team=supervisor.team, name="Anne Jobbspesialist")
    js2 = make.user("specialist", team=supervisor.team, name="Bjørn Jobbspesialist")
    employer = make.employer(js1)
    return supervisor, js1, js2, employer


@pytest.fixture
def job(make: Any, team: Any) -> Any:
    """job(participant, started_on, ended_on=None, **kw): a job with the team's employer."""
    employer = team[3]

    def _job(participant: Any, started_on: date, ended_on: date | None = None, **kw: Any) -> Any:
        return make.job_match(
            participant,
            employer,
            status="ended" if ended_on else "hired",
            started_on=started_on,
            ended_on=ended_on,
            **kw,
        )

    return _job


def _report(client: Any, headers: dict[str, str], **query: str) -> dict[str, Any]:
    response = client.get(OUTCOMES, query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return dict(response.json)


def _row(report: dict[str, Any], specialist: Any) -> dict[str, Any]:
    [row] = [r for r in report["specialists"] if r["specialist_id"] == str(specialist.id)]
    return row


def test_employment_rate_over_the_caseload_or_those_out_of_work_at_entry(
    client, make, login, team, job
):
    supervisor, js1, js2, _ = team
    now = datetime.now(UTC)

    def person(**kw: Any) -> Any:
        kw.setdefault("enrolled_on", date(2026, 1, 5))
        return make.participant(js1, **kw)

    # Employed in Q3:
    job(person(), date(2026, 6, 1))  # a job spanning the quarter's start
    job(person(working_at_entry=True), date(2025, 10, 1))  # working at entry, still is
    job(person(), date(2026, 5, 1), date(2026, 7, 1))  # ends on the quarter's first day
    late = person(enrolled_on=date(2026, 9, 30))  # enters on the last day, starts that day
    job(late, date(2026, 9, 30))
    # On the caseload in Q3, not employed:
    job(person(), date(2026, 8, 1), competitive=False)  # wage-subsidised job
    job(person(), date(2026, 4, 1), date(2026, 6, 30))  # ended the day before the quarter
    person(closed_on=date(2026, 7, 1), status="closed")  # closed on the first day
    job(person(), date(2026, 8, 1), deleted_at=now)  # only a deleted job
    job(person(), date(2026, 10, 1))  # starts in Q4
    # Not on the caseload in Q3:
    job(person(closed_on=date(2026, 6, 30), status="closed"), date(2026, 6, 1))  # closed in Q2
    job(person(enrolled_on=date(2026, 10, 1)), date(2026, 10, 1))  # enters in Q4
    job(person(deleted_at=now), date(2026, 6, 1))  # deleted
    # Bjørn: one participant, employed.
    job(make.participant(js2, enrolled_on=date(2026, 2, 1)), date(2026, 3, 1))

    report = _report(client, login(supervisor), **Q3)
    assert report["quarter"] == "2026-Q3" and report["denominator"] == "caseload"
    assert (report["from"], report["to"]) == ("2026-07-01", "2026-09-30")
    assert report["benchmarks"] == {"minimal": 0.31, "average": 0.41, "excellent": 0.5}
    anne = _row(report, js1)
    # Caseload 9: four employed + five not; employed 4; 4 / 9.
    assert (anne["active_caseload"], anne["denominator"], anne["employed"]) == (9, 9, 4)
    assert anne["employment_rate"] == round(4 / 9, 4)  # 0.4444
    assert (_row(report, js2)["employed"], _row(report, js2)["employment_rate"]) == (1, 1.0)
    # Team: (4 + 1) / (9 + 1) = 0.5, not the average of 0.4444 and 1.0.
    team_row = report["team"]
    assert (team_row["active_caseload"], team_row["employed"]) == (10, 5)
    assert team_row["employment_rate"] == 0.5

    report = _report(client, login(supervisor), denominator="out_of_work_at_entry", **Q3)
    assert report["denominator"] == "out_of_work_at_entry"
    anne = _row(report, js1)
    # Without the one working at entry: 3 employed of 8.
    assert (anne["active_caseload"], anne["denominator"], anne["employed"]) == (9, 8, 3)
    assert anne["employment_rate"] == round(3 / 8, 4)  # 0.375
    # Team: (3 + 1) / (8 + 1) = 0.4444.
    assert report["team"]["employment_rate"] == round(4 / 9, 4)


def test_no_one_in_the_denominator_gives_no_rate(client, make, login, team):
    supervisor, js1, js2, _ = team
    make.participant(js1, enrolled_on=date(2026, 1, 5), working_at_entry=True)
    report = _report(client, login(supervisor), denominator="out_of_work_at_entry", **Q3)
    assert (_row(report, js1)["denominator"], _row(report, js1)["employment_rate"]) == (0, None)
    assert _row(report, js2)["active_caseload"] == 0
    assert report["team"]["employment_rate"] is None


def test_job_starts_count_in_the_quarter_of_their_start_day(client, make, login, team, job):
    supervisor, js1, _, employer = team
    p = make.participant(js1, enrolled_on=date(2026, 1, 5))
    job(p, date(2026, 6, 30))  # Q2
    job(p, date(2026, 7, 1))  # Q3, first day
    job(p, date(2026, 9, 30), competitive=False)  # Q3, last day, wage-subsidised
    job(p, date(2026, 10, 1))  # Q4, first day
    job(p, date(2026, 8, 1), deleted_at=datetime.now(UTC))
    make.job_match(p, employer, status="applied")  # no start: not a job

    q3 = _row(_report(client, login(supervisor), **Q3), js1)
    assert (q3["job_starts"], q3["competitive_job_starts"]) == (2, 1)
    q4 = _row(_report(client, login(supervisor), quarter="2026-Q4"), js1)
    assert (q4["job_starts"], q4["competitive_job_starts"]) == (1, 1)
    q2 = _report(client, login(supervisor), quarter="2026-Q2")
    assert _row(q2, js1)["job_starts"] == 1 and q2["team"]["job_starts"] == 1


def test_median_days_from_entry_to_a_first_job_in_the_quarter(client, make, login, team, job):
    supervisor, js1, js2, _ = team

    def first_job(specialist: Any, started_on: date, days: int) -> Any:
        participant = make.participant(specialist, enrolled_on=started_on - timedelta(days=days))
        job(participant, started_on)
        return participant

    # Anne, an odd count: 10, 30 and 100 days; the median is 30.
    first_job(js1, date(2026, 7, 1), 10)
    first_job(js1, date(2026, 8, 15), 30)
    again = first_job(js1, date(2026, 9, 30), 100)
    job(again, date(2026, 10, 1))  # a later job changes nothing
    # Not first jobs in Q3: the first came in Q2, or starts in Q4.
    job(first_job(js1, date(2026, 6, 30), 5), date(2026, 8, 1))
    first_job(js1, date(2026, 10, 1), 7)
    # A job held from before entry is not a first job found in the programme.
    early = make.participant(js1, enrolled_on=date(2026, 7, 10), working_at_entry=True)
    job(early, date(2026, 7, 1))
    # A deleted job is no first job: the one after it is.
    undone = make.participant(js1, enrolled_on=date(2026, 5, 1))
    job(undone, date(2026, 5, 10), deleted_at=datetime.now(UTC))
    job(undone, date(2026, 10, 20))
    # Bjørn, an even count: 20 and 41 days; the median is (20 + 41) / 2 = 30.5.
    first_job(js2, date(2026, 7, 20), 20)
    first_job(js2, date(2026, 9, 1), 41)

    report = _report(client, login(supervisor), **Q3)
    anne, bjorn = _row(report, js1), _row(report, js2)
    assert (anne["first_job_starts"], anne["median_days_to_first_job"]) == (3, 30)
    assert (bjorn["first_job_starts"], bjorn["median_days_to_first_job"]) == (2, 30.5)
    # The team's median is over all five (10, 20, 30, 41, 100), not a median of medians.
    assert (report["team"]["first_job_starts"], report["team"]["median_days_to_first_job"]) == (
        5,
        30,
    )
    q4 = _report(client, login(supervisor), quarter="2026-Q4")
    # Q4: the one from 1 October (7 days) and the one after the deleted job (172 days).
    assert _row(q4, js1)["median_days_to_first_job"] == (7 + 172) / 2
    assert _row(q4, js2)["median_days_to_first_job"] is None


def test_90_day_retention_of_jobs_whose_90th_day_falls_in_the_quarter(
    client, make, login, team, job
):
    supervisor, js1, _, _ = team
    p = make.participant(js1, enrolled_on=date(2026, 1, 5))
    may = date(2026, 5, 1)
    job(p, may, may + timedelta(days=89))  # ends on day 89: not retained
    job(p, may, may + timedelta(days=90))  # ends on day 90: retained
    job(p, date(2026, 6, 1))  # still going: retained
    job(p, date(2026, 4, 2), date(2026, 4, 10))  # 90th day 1 July, short: not retained
    job(p, date(2026, 7, 2), date(2026, 9, 30))  # 90th day 30 September: retained
    job(p, date(2026, 4, 1))  # 90th day 30 June: Q2's cohort
    job(p, date(2026, 7, 3))  # 90th day 1 October: Q4's cohort
    job(p, date(2026, 5, 1), deleted_at=datetime.now(UTC))

    row = _row(_report(client, login(supervisor), **Q3), js1)
    # Cohort 5, retained 3: 3 / 5.
    assert (row["retention_cohort"], row["retained_90_days"]) == (5, 3)
    assert row["retention_90_days"] == 0.6
    q1 = _report(client, login(supervisor), quarter="2026-Q1")
    assert (_row(q1, js1)["retention_cohort"], _row(q1, js1)["retention_90_days"]) == (0, None)


def test_jobs_ended_in_the_quarter_by_reason(client, make, login, team, job):
    supervisor, js1, js2, _ = team
    p = make.participant(js1, enrolled_on=date(2026, 1, 5))
    start = date(2026, 3, 1)
    job(p, start, date(2026, 7, 1), end_reason="quit")
    job(p, start, date(2026, 9, 30), end_reason="quit")
    job(p, start, date(2026, 8, 1), end_reason="dismissed")
    job(p, start, date(2026, 8, 1), end_reason="better_job")
    job(p, start, date(2026, 8, 1))  # no reason given
    job(p, start, date(2026, 6, 30), end_reason="quit")  # Q2
    job(p, start, date(2026, 10, 1), end_reason="other")  # Q4
    job(p, start, date(2026, 8, 1), end_reason="other", deleted_at=datetime.now(UTC))
    job(make.participant(js2), date(2026, 7, 1), date(2026, 7, 2), end_reason="quit")

    report = _report(client, login(supervisor), **Q3)
    anne = _row(report, js1)
    assert anne["jobs_ended"] == 5
    assert anne["ended_by_reason"] == {
        **NO_ENDS,
        "quit": 2,
        "dismissed": 1,
        "better_job": 1,
        "unknown": 1,
    }
    assert report["team"]["jobs_ended"] == 6
    assert report["team"]["ended_by_reason"]["quit"] == 3
    assert _row(report, js2)["ended_by_reason"] == {**NO_ENDS, "quit": 1}


def test_participants_count_for_their_current_specialist(client, make, login, team, job):
    supervisor, js1, js2, _ = team
    p = make.participant(js1, enrolled_on=date(2026, 1, 5))
    job(p, date(2026, 7, 1))
    p.specialist_id = js2.id  # handed over in Q4
    db.session.commit()
    report = _report(client, login(supervisor), **Q3)
    assert (_row(report, js1)["active_caseload"], _row(report, js1)["job_starts"]) == (0, 0)
    assert (_row(report, js2)["active_caseload"], _row(report, js2)["job_starts"]) == (1, 1)


def test_an_empty_team_has_every_number_and_every_reason(client, make, login, team):
    supervisor, *_ = team
    report = _report(client, login(supervisor), **Q3)
    assert report["team"] == {
        "active_caseload": 0,
        "denominator": 0,
        "employed": 0,
        "employment_rate": None,
        "job_starts": 0,
        "competitive_job_starts": 0,
        "first_job_starts": 0,
        "median_days_to_first_job": None,
        "retention_cohort": 0,
        "retained_90_days": 0,
        "retention_90_days": None,
        "jobs_ended": 0,
        "ended_by_reason": NO_ENDS,
    }
    assert [r["name"] for r in report["specialists"]] == [
        "Anne Jobbspesialist",
        "Bjørn Jobbspesialist",
    ]


def test_the_last_completed_quarter_by_default(client, make, login, team):
    supervisor, *_ = team
    report = _report(client, login(supervisor))
    quarter = last_completed_quarter(datetime.now(OSLO).date())
    assert report["quarter"] == str(quarter)
    assert (report["from"], report["to"]) == (
        quarter.first_day.isoformat(),
        quarter.last_day.isoformat(),
    )


def test_csv_rows_are_one_per_specialist_and_one_for_the_team(make, team, job):
    _, js1, js2, _ = team
    p = make.participant(js1, enrolled_on=date(2026, 1, 5))
    job(p, date(2026, 6, 1), date(2026, 8, 1), end_reason="quit")
    specialists = [(js1.id, js1.name), (js2.id, js2.name)]
    report = outcomes(specialists, Quarter(2026, 3), "caseload", TODAY)
    columns, rows = outcomes_csv_rows(report)
    assert columns == [
        "quarter",
        "specialist_id",
        "name",
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
        "ended_quit",
        "ended_dismissed",
        "ended_temporary_job_ended",
        "ended_better_job",
        "ended_other",
        "ended_unknown",
    ]
    # Anne: 1 on the caseload, employed; first job 1 June (Q2), so none in Q3; its 90th day
    # is 30 August but it ended on 1 August; it ended (quit) in Q3.
    assert rows == [
        ["2026-Q3", js1.id, js1.name, 1, 1, 1, 1.0, 0, 0, 0, None, 1, 0, 0.0, 1, 1, 0, 0, 0, 0, 0],
        [
            "2026-Q3",
            js2.id,
            js2.name,
            0,
            0,
            0,
            None,
            0,
            0,
            0,
            None,
            0,
            0,
            None,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
        ],
        ["2026-Q3", None, "Team", 1, 1, 1, 1.0, 0, 0, 0, None, 1, 0, 0.0, 1, 1, 0, 0, 0, 0, 0],
    ]
    assert all(len(row) == len(columns) for row in rows)


def test_the_report_takes_five_queries_however_many_participants(make, team, job):
    _, js1, js2, _ = team
    for n in range(6):
        job(make.participant(js1 if n % 2 else js2), date(2026, 5, 1 + n), date(2026, 8, 1))
    specialists = [(js1.id, js1.name), (js2.id, js2.name)]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        report = outcomes(specialists, Quarter(2026, 3), "caseload", TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 5
    assert report["team"]["jobs_ended"] == 6


# --- who sees what -----------------------------------------------------------------------------


def test_a_specialist_sees_their_own_row_and_a_supervisor_the_whole_team_only(
    client, make, login, team
):
    supervisor, js1, js2, _ = team
    other_team_specialist = make.user("specialist")
    assert [r["specialist_id"] for r in _report(client, login(js1), **Q3)["specialists"]] == [
        str(js1.id)
    ]
    assert {
        r["specialist_id"] for r in _report(client, login(supervisor), **Q3)["specialists"]
    } == {
        str(js1.id),
        str(js2.id),
    }
    response = client.get(
        OUTCOMES, query_string={"team_id": str(other_team_specialist.team_id)}, headers=login(js1)
    )
    assert response.status_code == 404


def test_participants_see_no_reports_and_an_admin_names_the_team(client, make, login, team):
    supervisor, js1, _, _ = team
    participant_login = make.participant_user(make.participant(js1))
    assert client.get(OUTCOMES, headers=login(participant_login)).status_code == 403
    admin = make.user("admin", team=None)
    response = client.get(OUTCOMES, headers=login(admin))
    assert response.status_code == 422 and "team_id" in response.json["errors"]
    report = _report(client, login(admin), team_id=str(supervisor.team_id), **Q3)
    assert len(report["specialists"]) == 2


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"quarter": "2026-Q5"}, "quarter", "2026-Q3"),
        ({"quarter": "2026Q3"}, "quarter", "2026-Q3"),
        ({"quarter": "2999-Q1"}, "quarter", "not begun"),
        ({"denominator": "everyone"}, "denominator", "denominator=out_of_work_at_entry"),
        ({"quater": "2026-Q3"}, "quater", "Unknown query parameter"),
        ({"team_id": "team-1"}, "team_id", "UUID"),
    ],
)
def test_a_bad_query_says_what_to_fix(client, make, login, team, query, field, words):
    supervisor, *_ = team
    response = client.get(OUTCOMES, query_string=query, headers=login(supervisor))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert words in str(response.json["errors"][field]) + response.json["detail"]
