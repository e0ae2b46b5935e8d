"""The IPS-25 fidelity items the logs can score (GET /api/v1/reports/fidelity), on
hand-computed fixtures: every number and every anchor edge is worked out in the test.

Calendar used below: 2026-08-31 is the Monday of week 36, 2026-11-08 the Sunday of week 45
(ten weeks), 2026-11-02 to 2026-11-29 are weeks 45 to 48 (four weeks).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.extensions import db
from api.reports.fidelity.csv import fidelity_csv_rows
from api.reports.fidelity.service import (
    NEEDS_REVIEWER,
    days_to_first_contact,
    default_first,
    default_last,
    follow_along_cap,
    follow_along_windows,
    job_type_differs,
    mean,
    missed_follow_along_windows,
    normalized_job_type,
    period_too_long,
    review_cap,
    score_caseload_size,
    score_community_based_services,
    score_competitive_jobs,
    score_diversity,
    score_follow_along,
    score_frequent_employer_contact,
    score_rapid_job_search,
    whole_weeks,
)
from api.reports.weeks import IsoWeek
from tests.factories import oslo

FIDELITY = "/api/v1/reports/fidelity"
TEN_WEEKS = {"from": "2026-08-27", "to": "2026-11-10"}  # Thursday to Tuesday: weeks 36-45
FOUR_WEEKS = {"from": "2026-11-02", "to": "2026-11-29"}  # weeks 45-48


# --- the scoring rules, directly ---------------------------------------------------------------


def scores(rule: Any, values: tuple[Any, ...]) -> list[int]:
    return [rule(value) for value in values]


def test_caseload_size_scores_on_participants_per_full_time_specialist():
    values = (0, 19, 20, 20.5, 21, 25, 25.5, 30, 30.5, 40, 40.5, 41, 80)
    assert scores(score_caseload_size, values) == [5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1, 1]


def test_frequent_employer_contact_scores_on_contacts_per_week():
    values = (0, 1.99, 2, 3.99, 4, 4.99, 5, 5.9, 6, 9, Fraction(59, 10), Fraction(60, 10))
    assert scores(score_frequent_employer_contact, values) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 4, 5]


def test_reviews_cap_employer_contact_at_2_without_any_and_3_under_three_weeks_in_four():
    assert review_cap(0, 4) == (2, "No week in the period was marked as reviewed.")
    assert [review_cap(n, 4) is None for n in (1, 2, 3, 4)] == [False, False, True, True]
    assert review_cap(1, 4)[0] == review_cap(2, 4)[0] == review_cap(29, 40)[0] == 3
    assert review_cap(30, 40) is None


def test_community_based_services_scores_on_the_community_share():
    values = (0, 0.29, 0.3, 0.39, 0.4, 0.49, 0.5, 0.64, 0.65, 1)
    assert scores(score_community_based_services, values) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_the_mean_of_shares_is_exact_so_60_and_70_percent_make_65():
    value = mean([Fraction(60, 100), Fraction(70, 100)])
    assert value == Fraction(65, 100)
    assert score_community_based_services(value) == 5
    assert (0.6 + 0.7) / 2 < 0.65  # what plain floats would have said
    assert mean([]) is None


def test_rapid_job_search_scores_on_mean_days_to_first_contact():
    values = (0, 30, 30.5, 31, 60, 60.5, 61, 150, 151, 270, 270.5, 271)
    assert scores(score_rapid_job_search, values) == [5, 5, 4, 4, 4, 3, 3, 3, 2, 2, 1, 1]


def test_diversity_of_job_types_and_employers_share_their_bins():
    values = (0, 0.49, 0.5, 0.59, 0.6, 0.69, 0.7, 0.84, 0.85, 1, Fraction(16, 20), Fraction(17, 20))
    assert scores(score_diversity, values) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 4, 5]


def test_competitive_jobs_scores_on_the_competitive_share():
    values = (0.64, 0.65, 0.74, 0.75, 0.84, 0.85, 0.94, 0.95, 1, Fraction(13, 20))
    assert scores(score_competitive_jobs, values) == [1, 2, 2, 3, 3, 4, 4, 5, 5, 2]


def test_follow_along_scores_on_the_share_of_jobs_followed_as_described():
    values = (0, 0.19, 0.2, 0.39, 0.4, 0.59, 0.6, 0.84, 0.85, 1)
    assert scores(score_follow_along, values) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_a_follow_along_5_needs_a_job_followed_for_a_year():
    assert follow_along_cap(0) is not None and follow_along_cap(0)[0] == 4
    assert follow_along_cap(1) is None


# --- the rules behind the values ---------------------------------------------------------------


def test_the_weeks_are_those_wholly_inside_the_period():
    def weeks(first: date, last: date) -> list[str]:
        return [str(week) for week in whole_weeks(first, last)]

    assert weeks(date(2026, 8, 31), date(2026, 9, 6)) == ["2026-W36"]
    assert weeks(date(2026, 8, 27), date(2026, 11, 10)) == [f"2026-W{n}" for n in range(36, 46)]
    assert weeks(date(2026, 9, 1), date(2026, 9, 7)) == []  # Tuesday to Monday
    assert weeks(date(2026, 12, 28), date(2027, 1, 10)) == ["2026-W53", "2027-W01"]


def test_by_default_the_period_is_13_whole_weeks_up_to_the_last_completed_one():
    for today in (date(2026, 11, 18), date(2026, 11, 22)):  # a Wednesday, a Sunday
        assert default_last(today) == date(2026, 11, 15)
    assert default_last(date(2026, 11, 23)) == date(2026, 11, 22)  # Monday
    first = default_first(date(2026, 11, 22))
    assert first == date(2026, 8, 24)
    assert len(whole_weeks(first, date(2026, 11, 22))) == 13


def test_a_period_may_be_two_years_long_with_a_leap_day():
    assert not period_too_long(date(2024, 11, 23), date(2026, 11, 22))  # 730 days
    assert not period_too_long(date(2023, 3, 1), date(2025, 2, 28))  # 731 days
    assert period_too_long(date(2023, 2, 28), date(2025, 2, 28))  # 732 days


def test_days_to_first_contact_count_a_contact_before_entry_as_day_0():
    assert days_to_first_contact(date(2026, 9, 1), date(2026, 8, 20)) == 0
    assert days_to_first_contact(date(2026, 9, 1), date(2026, 9, 1)) == 0
    assert days_to_first_contact(date(2026, 9, 1), date(2026, 10, 1)) == 30
    assert days_to_first_contact(date(2026, 9, 1), date(2026, 10, 2)) == 31


def test_a_job_type_differs_from_every_earlier_one_trimmed_and_case_insensitive():
    assert normalized_job_type("  Butikk ") == "butikk"
    assert normalized_job_type("  ") is None and normalized_job_type(None) is None
    assert job_type_differs("butikk", [])  # a first job differs
    assert not job_type_differs("Butikk", ["lager", " BUTIKK"])
    assert job_type_differs("butikk", ["lager", None])


def test_follow_along_is_checked_against_whole_windows_up_to_the_end():
    start = date(2026, 9, 1)
    assert follow_along_windows(start, start + timedelta(days=2)) == []
    assert follow_along_windows(start, start + timedelta(days=3)) == [(0, 3)]
    first_month = [(0, 3), (0, 6), (7, 13), (14, 20), (21, 27)]
    assert follow_along_windows(start, start + timedelta(days=27)) == first_month
    assert follow_along_windows(start, start + timedelta(days=56)) == first_month
    assert follow_along_windows(start, start + timedelta(days=57)) == [*first_month, (28, 57)]
    year = follow_along_windows(start, start + timedelta(days=365))
    assert year[-1] == (328, 357) and len(year) == 5 + 11


def test_a_window_without_a_meeting_is_missed():
    start, until = date(2026, 9, 1), date(2026, 10, 31)
    days = [start + timedelta(days=n) for n in (2, 9, 16, 23, 40)]
    assert missed_follow_along_windows(start, until, days) == []
    assert missed_follow_along_windows(start, until, days[:2] + days[3:]) == [(14, 20)]
    # Day 5 is in the first week but not within 3 days of the start.
    later = [start + timedelta(days=n) for n in (5, 9, 16, 23, 40)]
    assert missed_follow_along_windows(start, until, later) == [(0, 3)]


def test_csv_rows_are_one_per_item_then_the_items_for_a_reviewer():
    report = {
        "items": [
            {
                "item": "caseload_size",
                "number": 1,
                "title": "Caseload size",
                "score": 4,
                "value": 20.5,
                "unit": "participants per full-time specialist",
                "cap": None,
            },
            {
                "item": "frequent_employer_contact",
                "number": 17,
                "title": "Job development: frequent employer contact",
                "score": 2,
                "value": 6.0,
                "unit": "face-to-face contacts per specialist per week",
                "cap": {"max_score": 2, "reason": "...", "uncapped_score": 5},
            },
        ],
        "needs_reviewer": [{"item": "disclosure", "number": 13, "title": "Disclosure"}],
    }
    columns, rows = fidelity_csv_rows(report)
    assert columns == ["item", "number", "title", "score", "value", "unit", "cap"]
    caseload, contact, disclosure = rows
    assert caseload == [
        *("caseload_size", 1, "Caseload size", 4, 20.5),
        *("participants per full-time specialist", None),
    ]
    assert contact[3:] == [2, 6.0, "face-to-face contacts per specialist per week", 2]
    assert disclosure == ["disclosure", 13, "Disclosure", None, None, None, None]


# --- the report ------------------------------------------------------------------------------


def _report(client: Any, headers: dict[str, str], **query: str) -> dict[str, Any]:
    response = client.get(FIDELITY, query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return dict(response.json)


def _item(report: dict[str, Any], key: str) -> dict[str, Any]:
    [item] = [i for i in report["items"] if i["item"] == key]
    return item


@pytest.fixture
def team(make: Any) -> Any:
    supervisor = make.user("supervisor")
    js1 = make.user("specialist", team=supervisor.team, name="Anne Jobbspesialist")
    js2 = make.user("specialist", team=supervisor.team, name="Bjørn Jobbspesialist")
    employer = make.employer(js1)
    return supervisor, js1, js2, employer


@pytest.mark.parametrize(
    ("participants", "fte", "value", "score"),
    [
        ((19, 19), (100, 100), 19, 5),
        ((20, 20), (100, 100), 20, 5),
        ((21, 21), (100, 100), 21, 4),
        ((20, 21), (100, 100), 20.5, 4),
        ((9, 2), (40, 10), 22, 4),  # 11 participants over half a full-time equivalent
        ((10, 0), (50, 50), 10, 5),
    ],
)
def test_caseload_size_is_active_participants_per_full_time_equivalent(
    client, make, login, team, participants, fte, value, score
):
    supervisor, js1, js2, _ = team
    js1.fte, js2.fte = fte
    db.session.commit()
    for specialist, count in zip((js1, js2), participants, strict=True):
        for _ in range(count):
            make.participant(specialist, enrolled_on=date(2026, 3, 2))
    report = _report(client, login(supervisor), **FOUR_WEEKS)
    item = _item(report, "caseload_size")
    assert (item["number"], item["value"], item["score"]) == (1, value, score)
    assert item["unit"] == "participants per full-time specialist"
    assert [a["text"] for a in item["anchors"]][4] == "20 or fewer"
    rows = {row["specialist_id"]: row for row in item["evidence"]["specialists"]}
    assert rows[str(js1.id)]["participants"] == participants[0]
    assert rows[str(js1.id)]["fte"] == fte[0]
    assert item["evidence"]["participants"] == sum(participants)


def test_21_participants_on_one_full_time_caseload_score_4_and_19_score_5(
    client, make, login, team
):
    _, js1, _, _ = team
    for _ in range(19):
        make.participant(js1, enrolled_on=date(2026, 3, 2))
    item = _item(_report(client, login(js1), **FOUR_WEEKS), "caseload_size")
    assert (item["value"], item["score"]) == (19, 5)
    for _ in range(2):
        make.participant(js1, enrolled_on=date(2026, 3, 2))
    item = _item(_report(client, login(js1), **FOUR_WEEKS), "caseload_size")
    assert (item["value"], item["score"]) == (21, 4)


def test_the_caseload_counts_participants_active_on_the_last_day(client, make, login, team):
    _, js1, _, _ = team
    last = date(2026, 11, 29)
    make.participant(js1, enrolled_on=date(2026, 3, 2))  # counts
    make.participant(js1, enrolled_on=last)  # counts: entered on the day
    make.participant(js1, enrolled_on=date(2026, 3, 2), closed_on=last)  # counts: closes that day
    make.participant(js1, enrolled_on=last + timedelta(days=1))
    make.participant(js1, enrolled_on=date(2026, 3, 2), closed_on=last - timedelta(days=1))
    make.participant(js1, enrolled_on=date(2026, 3, 2), deleted_at=datetime.now(UTC))
    item = _item(_report(client, login(js1), **FOUR_WEEKS), "caseload_size")
    assert (item["value"], item["evidence"]["on"]) == (3, "2026-11-29")


def _contacts(make: Any, specialist: Any, employer: Any, count: int) -> None:
    """`count` face-to-face contacts spread over weeks 36 to 45."""
    for n in range(count):
        make.employer_contact(
            specialist, employer, contacted_at=oslo(2026, 8, 31) + timedelta(days=n % 70)
        )


def _review_weeks(make: Any, supervisor: Any, specialist: Any, weeks: range) -> None:
    for week in weeks:
        make.week_review(supervisor, specialist, iso_year=2026, iso_week=week)


@pytest.mark.parametrize(("contacts", "per_week", "score"), [(59, 5.9, 4), (60, 6.0, 5)])
def test_frequent_employer_contact_is_face_to_face_contacts_per_week(
    client, make, login, team, contacts, per_week, score
):
    supervisor, js1, _, employer = team
    _contacts(make, js1, employer, contacts)
    _review_weeks(make, supervisor, js1, range(36, 46))
    # Not counted: by phone, deleted, or in a week not wholly in the period.
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 9, 2), mode="phone")
    make.employer_contact(
        js1, employer, contacted_at=oslo(2026, 9, 2), deleted_at=datetime.now(UTC)
    )
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 8, 30, 23, 59))  # Sunday, W35
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 9, 0, 0))  # Monday, W46

    item = _item(_report(client, login(js1), **TEN_WEEKS), "frequent_employer_contact")
    assert (item["number"], item["value"], item["score"], item["cap"]) == (
        17,
        per_week,
        score,
        None,
    )
    [row] = item["evidence"]["specialists"]
    assert row == {
        "specialist_id": str(js1.id),
        "face_to_face_contacts": contacts,
        "weeks": 10,
        "per_week": per_week,
        "reviewed_weeks": 10,
    }


def test_the_team_value_is_the_mean_of_the_specialists_weekly_averages(client, make, login, team):
    supervisor, js1, js2, employer = team
    _contacts(make, js1, employer, 80)  # 8 a week
    _contacts(make, js2, employer, 40)  # 4 a week
    for specialist in (js1, js2):
        _review_weeks(make, supervisor, specialist, range(36, 46))
    item = _item(_report(client, login(supervisor), **TEN_WEEKS), "frequent_employer_contact")
    assert (item["value"], item["score"]) == (6.0, 5)
    assert item["evidence"]["specialist_weeks"] == 20


@pytest.mark.parametrize(
    ("reviewed", "score", "cap"),
    [((), 2, 2), ((45, 46), 3, 3), ((45, 46, 47), 5, None), ((45, 46, 47, 48), 5, None)],
)
def test_reviews_cap_the_employer_contact_score(client, make, login, team, reviewed, score, cap):
    supervisor, js1, _, employer = team
    for n in range(24):  # 6 a week for weeks 45 to 48
        make.employer_contact(
            js1, employer, contacted_at=oslo(2026, 11, 2) + timedelta(days=n % 28)
        )
    for week in reviewed:
        make.week_review(supervisor, js1, iso_year=2026, iso_week=week)
    # Not counted: a withdrawn review, a review of a week outside the period.
    make.week_review(supervisor, js1, iso_year=2026, iso_week=44)
    if 48 not in reviewed:
        make.week_review(supervisor, js1, iso_year=2026, iso_week=48, deleted_at=datetime.now(UTC))

    item = _item(_report(client, login(js1), **FOUR_WEEKS), "frequent_employer_contact")
    assert (item["value"], item["score"]) == (6.0, score)
    assert item["evidence"]["reviewed_specialist_weeks"] == len(reviewed)
    if cap is None:
        assert item["cap"] is None
    else:
        assert item["cap"]["max_score"] == cap and item["cap"]["uncapped_score"] == 5
        assert "review" in item["cap"]["reason"]


@pytest.mark.parametrize(("community", "score"), [(65, 5), (64, 4)])
def test_community_based_services_is_the_share_of_meeting_minutes_in_the_community(
    client, make, login, team, community, score
):
    supervisor, js1, js2, _ = team
    participant = make.participant(js1, enrolled_on=date(2026, 1, 5))
    make.meeting(participant, starts_at=oslo(2026, 11, 3), duration_minutes=community)
    make.meeting(
        participant,
        starts_at=oslo(2026, 11, 10),
        duration_minutes=100 - community,
        setting="office",
    )
    # Not counted: cancelled, no-show, deleted, before the first week.
    make.meeting(participant, starts_at=oslo(2026, 11, 4), duration_minutes=90, status="cancelled")
    make.meeting(participant, starts_at=oslo(2026, 11, 4), setting="office", status="no_show")
    make.meeting(participant, starts_at=oslo(2026, 11, 5), deleted_at=datetime.now(UTC))
    make.meeting(participant, starts_at=oslo(2026, 11, 1, 23, 30), setting="office")

    item = _item(_report(client, login(supervisor), **FOUR_WEEKS), "community_based_services")
    assert (item["number"], item["value"], item["score"]) == (24, community / 100, score)
    [row] = item["evidence"]["specialists"]
    assert (row["community_minutes"], row["meeting_minutes"], row["meetings"]) == (
        community,
        100,
        2,
    )
    # A specialist without meetings is left out of the mean, and listed.
    assert item["evidence"]["without_meetings"] == [str(js2.id)]


def test_community_shares_of_60_and_70_percent_average_to_65(client, make, login, team):
    supervisor, js1, js2, _ = team
    for specialist, community in ((js1, 60), (js2, 70)):
        participant = make.participant(specialist)
        make.meeting(participant, starts_at=oslo(2026, 11, 3), duration_minutes=community)
        make.meeting(
            participant,
            starts_at=oslo(2026, 11, 3),
            duration_minutes=100 - community,
            setting="office",
        )
    item = _item(_report(client, login(supervisor), **FOUR_WEEKS), "community_based_services")
    assert (item["value"], item["score"]) == (0.65, 5)


@pytest.mark.parametrize(
    ("contacted_at", "days", "score"),
    [
        (oslo(2026, 10, 1, 0, 30), 30, 5),  # 22:30 UTC on 30 September: 1 October in Oslo
        (oslo(2026, 10, 2, 0, 30), 31, 4),
        (oslo(2026, 8, 20), 0, 5),  # before entry
    ],
)
def test_rapid_job_search_is_days_from_entry_to_the_first_face_to_face_employer_contact(
    client, make, login, team, contacted_at, days, score
):
    supervisor, js1, js2, employer = team
    participant = make.participant(js1, enrolled_on=date(2026, 9, 1))
    make.employer_contact(
        js1, employer, participant_id=participant.id, mode="phone", contacted_at=oslo(2026, 9, 2)
    )
    # By any specialist: the colleague's visit counts.
    make.employer_contact(js2, employer, participant_id=participant.id, contacted_at=contacted_at)
    make.employer_contact(
        js1, employer, participant_id=participant.id, contacted_at=oslo(2026, 11, 1)
    )
    waiting = make.participant(js1, enrolled_on=date(2026, 10, 31))
    make.participant(js1, enrolled_on=date(2026, 8, 31))  # entered before the period
    make.participant(js1, enrolled_on=date(2026, 11, 1), deleted_at=datetime.now(UTC))

    query = {"from": "2026-09-01", "to": "2026-11-30"}
    item = _item(_report(client, login(supervisor), **query), "rapid_job_search")
    assert (item["number"], item["value"], item["score"], item["unit"]) == (15, days, score, "days")
    assert item["evidence"]["participants"] == [
        {
            "participant_id": str(participant.id),
            "enrolled_on": "2026-09-01",
            "first_face_to_face_contact_on": contacted_at.date().isoformat(),
            "days": days,
        }
    ]
    assert item["evidence"]["without_contact_yet"] == [
        {"participant_id": str(waiting.id), "enrolled_on": "2026-10-31", "days_so_far": 30}
    ]
    assert item["evidence"]["entered"] == 2


def test_a_contact_after_the_period_does_not_count_yet(client, make, login, team):
    supervisor, js1, _, employer = team
    participant = make.participant(js1, enrolled_on=date(2026, 11, 2))
    make.employer_contact(
        js1, employer, participant_id=participant.id, contacted_at=oslo(2026, 11, 30)
    )
    item = _item(_report(client, login(supervisor), **FOUR_WEEKS), "rapid_job_search")
    assert item["score"] is None and item["value"] is None
    assert "yet" in item["reason"]
    assert item["evidence"]["without_contact_yet"][0]["days_so_far"] == 27


JOB_DAY = date(2026, 10, 5)


def _jobs(make: Any, specialist: Any, differing: int, employers: int, competitive: int) -> None:
    """20 jobs started in the period, one per participant: `differing` of them of a type the
    participant has not had before, on `employers` distinct employers, `competitive` of them
    competitive."""
    places = [make.employer(specialist) for _ in range(employers)]
    for n in range(20):
        participant = make.participant(specialist, enrolled_on=date(2025, 1, 6))
        if n >= differing:  # the same type as a job held before
            make.job_match(
                participant,
                places[0],
                job_type=" Butikk",
                status="ended",
                started_on=date(2025, 3, 3),
                ended_on=date(2025, 6, 1),
            )
        elif n % 2:  # a different type before
            make.job_match(
                participant,
                places[0],
                job_type="lager",
                status="ended",
                started_on=date(2025, 3, 3),
            )
        make.job_match(
            participant,
            places[n] if n < employers else places[0],
            job_type="butikk",
            status="hired",
            started_on=JOB_DAY,
            competitive=n < competitive,
        )


@pytest.mark.parametrize(
    ("differing", "employers", "competitive", "scores"),
    [
        (17, 17, 19, (5, 5, 5)),  # 85 %, 85 %, 95 %
        (16, 16, 18, (4, 4, 4)),  # 80 %, 80 %, 90 %
        (14, 14, 17, (4, 4, 4)),  # 70 %, 70 %, 85 %
        (13, 13, 16, (3, 3, 3)),  # 65 %, 65 %, 80 %
        (12, 12, 15, (3, 3, 3)),  # 60 %, 60 %, 75 %
        (11, 11, 14, (2, 2, 2)),  # 55 %, 55 %, 70 %
        (10, 10, 13, (2, 2, 2)),  # 50 %, 50 %, 65 %
        (9, 9, 12, (1, 1, 1)),  # 45 %, 45 %, 60 %
    ],
)
def test_job_shares_score_at_their_bin_edges(
    client, make, login, team, differing, employers, competitive, scores
):
    supervisor, js1, _, _ = team
    _jobs(make, js1, differing, employers, competitive)
    report = _report(client, login(supervisor), **{"from": "2026-09-01", "to": "2026-11-30"})
    types = _item(report, "diversity_of_job_types")
    places = _item(report, "diversity_of_employers")
    kinds = _item(report, "competitive_jobs")
    assert (types["value"], places["value"], kinds["value"]) == (
        differing / 20,
        employers / 20,
        competitive / 20,
    )
    assert (types["score"], places["score"], kinds["score"]) == scores
    assert (types["number"], places["number"], kinds["number"]) == (19, 20, 21)
    assert types["evidence"]["differing"] == differing and len(types["evidence"]["jobs"]) == 20
    assert places["evidence"]["distinct_employers"] == employers
    assert kinds["evidence"]["competitive"] == competitive


def test_which_jobs_count_as_obtained_and_which_differ_in_type(client, make, login, team):
    supervisor, js1, js2, employer = team
    first, second = make.employer(js1), make.employer(js1)
    anne = make.participant(js1)
    # Two jobs in the period: the first differs, the second is the same type again.
    a1 = make.job_match(
        anne,
        first,
        job_type="Kafé",
        status="ended",
        started_on=date(2026, 9, 7),
        ended_on=date(2026, 9, 30),
    )
    a2 = make.job_match(
        anne,
        second,
        job_type=" kafé ",
        status="hired",
        started_on=date(2026, 10, 5),
        competitive=False,
    )
    bjorn = make.participant(js2)
    # The same day is not earlier: both differ.
    b1 = make.job_match(
        bjorn, first, job_type="lager", status="hired", started_on=date(2026, 9, 14)
    )
    b2 = make.job_match(
        bjorn, second, job_type="lager", status="hired", started_on=date(2026, 9, 14)
    )
    # Without a type: left out of job types, counted for employers and competitive jobs.
    b3 = make.job_match(bjorn, first, job_type=None, status="hired", started_on=date(2026, 9, 21))
    # Not obtained in the period: deleted, after it, of a deleted participant, of another team.
    make.job_match(
        anne,
        first,
        job_type="x",
        status="hired",
        started_on=date(2026, 9, 8),
        deleted_at=datetime.now(UTC),
    )
    make.job_match(anne, first, job_type="y", status="hired", started_on=date(2026, 12, 1))
    gone = make.participant(js1, deleted_at=datetime.now(UTC))
    make.job_match(gone, first, job_type="z", status="hired", started_on=date(2026, 9, 8))
    outsider = make.participant(make.user("specialist"))
    make.job_match(outsider, employer, job_type="z", status="hired", started_on=date(2026, 9, 8))

    report = _report(client, login(supervisor), **{"from": "2026-09-01", "to": "2026-11-30"})
    types = _item(report, "diversity_of_job_types")
    differs = {row["job_match_id"]: row["differs"] for row in types["evidence"]["jobs"]}
    assert differs == {str(a1.id): True, str(a2.id): False, str(b1.id): True, str(b2.id): True}
    assert types["evidence"]["without_job_type"] == [str(b3.id)]
    assert (types["value"], types["score"]) == (0.75, 4)
    places = _item(report, "diversity_of_employers")
    assert (places["value"], places["score"]) == (0.4, 1)  # 2 employers, 5 jobs
    kinds = _item(report, "competitive_jobs")
    assert (kinds["value"], kinds["score"]) == (0.8, 3)
    assert {row["job_match_id"] for row in kinds["evidence"]["jobs"]} == {
        str(job.id) for job in (a1, a2, b1, b2, b3)
    }


START = date(2026, 9, 1)


def _follow_along(make: Any, participant: Any, days: list[int], **kw: Any) -> None:
    for day in days:
        when = START + timedelta(days=day)
        make.meeting(participant, starts_at=oslo(when.year, when.month, when.day, 0, 30), **kw)


@pytest.mark.parametrize(
    ("days", "value", "score", "missed"),
    [
        ([2, 9, 16, 23, 40], 1.0, 4, []),  # as described; 4 at most without a year
        ([2, 9, 23, 40], 0.0, 1, [{"from": "2026-09-15", "to": "2026-09-21"}]),
    ],
)
def test_follow_along_as_described_needs_a_meeting_in_every_window(
    client, make, login, team, days, value, score, missed
):
    supervisor, js1, _, employer = team
    participant = make.participant(js1, enrolled_on=date(2026, 3, 2))
    job = make.job_match(participant, employer, status="hired", started_on=START)
    _follow_along(make, participant, days, kind="follow_along")
    # Not counted: a cancelled meeting in the missed week.
    _follow_along(make, participant, [16], status="cancelled")
    # A job that started too late to judge.
    late = make.participant(js1)
    recent = make.job_match(late, employer, status="hired", started_on=date(2026, 10, 30))

    report = _report(client, login(supervisor), **{"from": "2026-09-01", "to": "2026-10-31"})
    item = _item(report, "time_unlimited_follow_along")
    assert (item["number"], item["value"], item["score"]) == (23, value, score)
    [row] = item["evidence"]["jobs"]
    assert row["job_match_id"] == str(job.id)
    assert (row["followed_until"], row["windows"], row["missed_windows"]) == (
        "2026-10-31",
        6,
        missed,
    )
    assert [r["job_match_id"] for r in item["evidence"]["not_judged_yet"]] == [str(recent.id)]
    if value == 1.0:
        assert item["cap"] == {
            "max_score": 4,
            "reason": item["cap"]["reason"],
            "uncapped_score": 5,
        }
        assert "365 days" in item["cap"]["reason"]


def test_follow_along_for_a_year_as_described_scores_5(client, make, login, team):
    supervisor, js1, _, employer = team
    participant = make.participant(js1, enrolled_on=date(2026, 3, 2))
    make.job_match(participant, employer, status="hired", started_on=START)
    _follow_along(make, participant, [1, 8, 15, 22] + [30 + 30 * k for k in range(12)])
    _follow_along(make, participant, [380], status="planned")
    query = {"from": "2026-09-01", "to": "2027-09-05"}
    item = _item(_report(client, login(supervisor), **query), "time_unlimited_follow_along")
    assert (item["value"], item["score"], item["cap"]) == (1.0, 5, None)
    assert item["evidence"]["as_described_for_a_year_or_more"] == 1
    assert item["evidence"]["jobs"][0]["days_followed"] == 369


def test_items_without_data_have_no_score_and_say_why(client, make, login, team):
    supervisor, *_ = team
    report = _report(client, login(supervisor), **FOUR_WEEKS)
    assert [item["number"] for item in report["items"]] == [1, 15, 17, 19, 20, 21, 23, 24]
    unscored = {i["item"]: i["reason"] for i in report["items"] if i["score"] is None}
    assert set(unscored) == {
        "rapid_job_search",
        "diversity_of_job_types",
        "diversity_of_employers",
        "competitive_jobs",
        "time_unlimited_follow_along",
        "community_based_services",
    }
    assert all(reason for reason in unscored.values())
    assert all(i["value"] is None for i in report["items"] if i["score"] is None)
    # An empty caseload scores 5; no contacts score 1, no review caps that at 2 anyway.
    assert report["total"] == {"score": 6, "items_scored": 2}
    numbers = [i["number"] for i in report["items"]] + [
        i["number"] for i in report["needs_reviewer"]
    ]
    assert sorted(numbers) == list(range(1, 26))
    assert len(report["needs_reviewer"]) == len(NEEDS_REVIEWER) == 17
    assert report["weeks"] == ["2026-W45", "2026-W46", "2026-W47", "2026-W48"]


def test_the_report_names_no_participant(client, make, login, team):
    supervisor, js1, _, employer = team
    participant = make.participant(
        js1, first_name="Kari", last_name="Nordmann", enrolled_on=date(2026, 11, 3)
    )
    make.employer_contact(
        js1,
        employer,
        participant_id=participant.id,
        contacted_at=oslo(2026, 11, 4),
        notes="Hemmelig notat",
    )
    make.job_match(
        participant, employer, status="hired", started_on=date(2026, 11, 5), notes="Hemmelig notat"
    )
    response = client.get(FIDELITY, query_string=FOUR_WEEKS, headers=login(supervisor))
    text = response.get_data(as_text=True)
    assert str(participant.id) in text
    assert "Kari" not in text and "Nordmann" not in text and "Hemmelig" not in text


def test_the_default_period_is_the_13_whole_weeks_up_to_the_last_completed_one(
    client, make, login, team
):
    supervisor, *_ = team
    report = _report(client, login(supervisor))
    last = default_last(datetime.now(ZoneInfo("Europe/Oslo")).date())
    assert report["to"] == last.isoformat()
    assert report["from"] == (last - timedelta(days=90)).isoformat()
    assert len(report["weeks"]) == 13 and report["weeks"][-1] == str(IsoWeek.of(last))
    only_to = _report(client, login(supervisor), to="2026-11-29")
    assert only_to["from"] == "2026-08-31" and len(only_to["weeks"]) == 13


# --- who sees what -----------------------------------------------------------------------------


def test_a_specialist_sees_only_their_own_numbers(client, make, login, team):
    supervisor, js1, js2, _ = team
    for _ in range(3):
        make.participant(js1, enrolled_on=date(2026, 3, 2))
    for _ in range(30):
        make.participant(js2, enrolled_on=date(2026, 3, 2))
    report = _report(client, login(js1), **FOUR_WEEKS)
    assert report["specialists"] == [{"specialist_id": str(js1.id), "name": js1.name}]
    item = _item(report, "caseload_size")
    assert item["value"] == 3
    assert [row["specialist_id"] for row in item["evidence"]["specialists"]] == [str(js1.id)]
    team_report = _report(client, login(supervisor), **FOUR_WEEKS)
    assert _item(team_report, "caseload_size")["value"] == 16.5


def test_participants_see_no_report_and_another_team_is_not_found(client, make, login, team):
    supervisor, js1, _, _ = team
    participant_login = make.participant_user(make.participant(js1))
    assert client.get(FIDELITY, headers=login(participant_login)).status_code == 403
    other_supervisor = make.user("supervisor")
    response = client.get(
        FIDELITY, query_string={"team_id": str(supervisor.team_id)}, headers=login(other_supervisor)
    )
    assert response.status_code == 404 and "team_id" in response.json["errors"]


def test_an_admin_names_the_team(client, make, login, team):
    supervisor, *_ = team
    admin = make.user("admin", team=None)
    response = client.get(FIDELITY, query_string=FOUR_WEEKS, headers=login(admin))
    assert response.status_code == 422 and "team_id" in response.json["errors"]
    report = _report(client, login(admin), team_id=str(supervisor.team_id), **FOUR_WEEKS)
    assert len(report["specialists"]) == 2
    empty = make.team()
    report = _report(client, login(admin), team_id=str(empty.id), **FOUR_WEEKS)
    assert report["specialists"] == [] and report["total"] == {"score": 0, "items_scored": 0}
    assert all(item["reason"] for item in report["items"])


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"from": "2026-11-30", "to": "2026-11-02"}, "from", "after"),
        ({"from": "2026-11-02", "to": "2026-11-29", "week": "47"}, "week", "Unknown"),
        ({"from": "2026-47", "to": "2026-11-29"}, "from", "2026-11-22"),
        ({"from": "2026-11-02", "to": "2026-13-01"}, "to", "2026-11-22"),
        ({"from": "2026-11-03", "to": "2026-11-09"}, "from", "whole week (Monday to Sunday)"),
        ({"from": "2024-11-01", "to": "2026-11-29"}, "from", "two years"),
        ({"team_id": "team-1", "to": "2026-11-29"}, "team_id", "UUID"),
    ],
)
def test_a_bad_query_says_what_to_fix(client, make, login, team, query, field, words):
    supervisor, *_ = team
    response = client.get(FIDELITY, query_string=query, headers=login(supervisor))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]
    assert words in str(response.json["errors"][field]) + response.json["detail"]
