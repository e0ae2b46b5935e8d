"""The supervisor's weekly numbers (GET /api/v1/reports/weekly), on hand-computed fixtures.

Weeks are ISO weeks in Europe/Oslo: a contact at 23:30 on a Sunday in Oslo belongs to that
week, whatever the UTC date; a week across a daylight-saving change is an hour longer or
shorter; 2026 has a week 53; a contact logged days later counts in the week it happened.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.offline.setup import SCHEMA_VERSION
from api.reports.weeks import IsoWeek, week_range
from tests.factories import oslo

WEEKLY = "/api/v1/reports/weekly"
OSLO = ZoneInfo("Europe/Oslo")


# --- weeks -----------------------------------------------------------------------------------


def test_a_week_is_written_like_2026_w47_and_anything_else_says_how_to_write_it():
    assert IsoWeek.parse("2026-W47") == IsoWeek(2026, 47)
    assert str(IsoWeek(2027, 1)) == "2027-W01"
    for bad in ("2026-47", "2026-W7", "W47", "2026-W54", "2025-W53", ""):
        with pytest.raises(ValueError):
            IsoWeek.parse(bad)


def test_2026_has_a_week_53_between_week_52_and_2027s_week_1():
    weeks = week_range(IsoWeek(2026, 52), IsoWeek(2027, 1))
    assert [str(w) for w in weeks] == ["2026-W52", "2026-W53", "2027-W01"]
    assert IsoWeek(2026, 53).monday == date(2026, 12, 28)
    assert IsoWeek.of(date(2027, 1, 3)) == IsoWeek(2026, 53)


def test_weeks_across_daylight_saving_changes_are_an_hour_shorter_or_longer():
    def hours(week: IsoWeek) -> float:
        return (week.shifted(1).starts_at(OSLO) - week.starts_at(OSLO)) / timedelta(hours=1)

    assert hours(IsoWeek(2026, 13)) == 167  # clocks forward on Sunday 29 March
    assert hours(IsoWeek(2026, 43)) == 169  # clocks back on Sunday 25 October
    assert hours(IsoWeek(2026, 47)) == 168
    # Monday of week 47 begins at 23:00 UTC on the Sunday before.
    assert IsoWeek(2026, 47).starts_at(OSLO) == datetime(2026, 11, 15, 23, 0, tzinfo=UTC)


# --- the report --------------------------------------------------------------------------------


def _week(report: dict[str, Any], specialist_id: Any, week: str) -> dict[str, Any]:
    [row] = [r for r in report["specialists"] if r["specialist_id"] == str(specialist_id)]
    [cell] = [w for w in row["weeks"] if w["week"] == week]
    return cell


def _report(client: Any, headers: dict[str, str], **query: str) -> dict[str, Any]:
    response = client.get(WEEKLY, query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return dict(response.json)


@pytest.fixture
def team(make: Any) -> Any:
    supervisor = make.user("supervisor")
    js1 = make.user("specialist", team=supervisor.team, name="Anne Jobbspesialist")
    js2 = make.user("specialist", team=supervisor.team, name="Bjørn Jobbspesialist")
    employer = make.employer(js1)
    return supervisor, js1, js2, employer


def test_contacts_count_in_the_oslo_week_they_happened_face_to_face_apart(
    client, make, login, team
):
    supervisor, js1, js2, employer = team
    # Week 47 of 2026 runs from Monday 16 to Sunday 22 November, Oslo time.
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 16, 0, 30))  # Monday early
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 22, 23, 30))  # Sunday late
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 18), mode="phone")
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 18), mode="email")
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 15, 23, 59))  # week 46
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 23, 0, 0))  # week 48
    make.employer_contact(
        js1, employer, contacted_at=oslo(2026, 11, 19), deleted_at=datetime.now(UTC)
    )
    make.employer_contact(js2, employer, contacted_at=oslo(2026, 11, 19))

    report = _report(client, login(supervisor), **{"from": "2026-W46", "to": "2026-W48"})
    assert report["weeks"] == ["2026-W46", "2026-W47", "2026-W48"]
    w47 = _week(report, js1.id, "2026-W47")
    assert (w47["face_to_face_employer_contacts"], w47["employer_contacts"]) == (2, 4)
    assert _week(report, js1.id, "2026-W46")["employer_contacts"] == 1
    assert _week(report, js1.id, "2026-W48")["employer_contacts"] == 1
    assert _week(report, js2.id, "2026-W47")["face_to_face_employer_contacts"] == 1
    team_w47 = report["team"]["weeks"][1]
    assert team_w47["face_to_face_employer_contacts"] == 3
    assert team_w47["face_to_face_employer_contacts_per_specialist"] == 1.5
    assert report["targets"]["face_to_face_employer_contacts"] == 6


def test_community_share_is_the_share_of_meeting_minutes_in_community_settings(
    client, make, login, team
):
    supervisor, js1, js2, _ = team
    participant = make.participant(js1, enrolled_on=date(2026, 1, 5))
    make.meeting(participant, starts_at=oslo(2026, 11, 17), duration_minutes=60)
    make.meeting(participant, starts_at=oslo(2026, 11, 18), duration_minutes=45)
    make.meeting(participant, starts_at=oslo(2026, 11, 19), duration_minutes=45, setting="office")
    make.meeting(participant, starts_at=oslo(2026, 11, 20), status="cancelled")
    make.meeting(participant, starts_at=oslo(2026, 11, 20), status="no_show", setting="office")

    report = _report(client, login(supervisor), **{"from": "2026-W47", "to": "2026-W47"})
    w47 = _week(report, js1.id, "2026-W47")
    assert w47["participant_meetings"] == 3
    assert w47["community_share"] == round(105 / 150, 4)  # 0.7
    # No meetings: no share (not 0 %, which would read as all office).
    assert _week(report, js2.id, "2026-W47")["community_share"] is None
    assert report["team"]["weeks"][0]["community_share"] == 0.7


def test_the_caseload_counts_participants_in_the_programme_during_the_week(
    client, make, login, team
):
    supervisor, js1, _, _ = team
    make.participant(js1, enrolled_on=date(2026, 3, 2))  # all along
    make.participant(js1, enrolled_on=date(2026, 11, 22))  # enters on Sunday of week 47
    make.participant(js1, enrolled_on=date(2026, 11, 23))  # enters in week 48
    make.participant(js1, enrolled_on=date(2026, 3, 2), closed_on=date(2026, 11, 16))  # Monday
    make.participant(js1, enrolled_on=date(2026, 3, 2), closed_on=date(2026, 11, 15))  # week 46
    make.participant(js1, enrolled_on=date(2026, 3, 2), deleted_at=datetime.now(UTC))

    report = _report(client, login(supervisor), **{"from": "2026-W46", "to": "2026-W48"})
    assert [_week(report, js1.id, w)["caseload"] for w in report["weeks"]] == [3, 3, 3]


def test_a_week_is_reviewed_when_the_supervisor_marked_it(client, make, login, team):
    supervisor, js1, js2, _ = team
    make.week_review(supervisor, js1, iso_year=2026, iso_week=47)
    make.week_review(supervisor, js2, iso_year=2026, iso_week=46, deleted_at=datetime.now(UTC))
    report = _report(client, login(supervisor), **{"from": "2026-W46", "to": "2026-W47"})
    assert [_week(report, js1.id, w)["reviewed"] for w in report["weeks"]] == [False, True]
    assert [_week(report, js2.id, w)["reviewed"] for w in report["weeks"]] == [False, False]
    assert [w["reviewed_specialists"] for w in report["team"]["weeks"]] == [0, 1]


def test_a_reviewed_week_that_receives_work_afterwards_says_so(client, make, login, team):
    """Work logged late (or edited, or deleted) after the supervisor reviewed its week shows the
    week changed after review; weeks untouched since, or never reviewed, do not."""
    supervisor, js1, js2, employer = team
    make.employer_contact(js1, employer, contacted_at=oslo(2026, 11, 17))
    make.employer_contact(js2, employer, contacted_at=oslo(2026, 11, 10))
    for specialist, week in ((js1, 47), (js1, 46), (js2, 46)):
        make.week_review(supervisor, specialist, iso_year=2026, iso_week=week)
    headers = {**login(supervisor)}
    query = {"from": "2026-W46", "to": "2026-W47"}

    def changed(specialist: Any) -> list[bool]:
        report = _report(client, headers, **query)
        return [_week(report, specialist.id, w)["changed_after_review"] for w in report["weeks"]]

    assert changed(js1) == [False, False] and changed(js2) == [False, False]
    # js1 logs last week's Friday visit on Monday, after the review of that week.
    late = client.post(
        "/api/v1/employer_contacts",
        json={"employer_id": str(employer.id), "contacted_at": "2026-11-20T14:00:00+01:00"},
        headers=login(js1),
    )
    assert late.status_code == 201, late.json
    assert changed(js1) == [False, True]
    # js2 deletes a contact of a reviewed week: that changes the week too.
    [contact] = client.get(
        "/api/v1/employer_contacts",
        query_string={"specialist_id": str(js2.id)},
        headers=login(js2),
    ).json
    assert (
        client.delete(f"/api/v1/employer_contacts/{contact['id']}", headers=login(js2)).status_code
        == 204
    )
    assert changed(js2) == [True, False]


def test_a_contact_synced_days_later_counts_in_the_week_it_happened(client, make, login, team):
    supervisor, js1, _, employer = team
    headers = login(js1)
    body = {
        "client_id": str(uuid.uuid4()),
        "schema_version": SCHEMA_VERSION,
        "mutations": [
            {
                "mutation_id": str(uuid.uuid4()),
                "entity": "employer_contacts",
                "op": "upsert",
                "id": str(uuid.uuid4()),
                "base_version": None,
                "data": {
                    "employer_id": str(employer.id),
                    # Sunday evening of week 45, pushed now
                    "contacted_at": "2026-11-08T22:30:00+01:00",
                    "mode": "in_person",
                },
            }
        ],
    }
    assert (
        client.post("/api/v1/sync/push", json=body, headers=headers).json["results"][0]["status"]
        == "applied"
    )
    report = _report(client, login(supervisor), **{"from": "2026-W45", "to": "2026-W46"})
    assert [
        _week(report, js1.id, w)["face_to_face_employer_contacts"] for w in report["weeks"]
    ] == [
        1,
        0,
    ]


def test_twelve_weeks_up_to_this_one_by_default(client, make, login, team):
    supervisor, *_ = team
    report = _report(client, login(supervisor))
    this_week = IsoWeek.of(datetime.now(OSLO).date())
    assert len(report["weeks"]) == 12 and report["to"] == str(this_week)
    assert report["from"] == str(this_week.shifted(-11))


# --- who sees what -----------------------------------------------------------------------------


def test_a_specialist_sees_their_own_row_and_a_supervisor_the_whole_team_only(
    client, make, login, team
):
    supervisor, js1, js2, _ = team
    other_team_specialist = make.user("specialist")
    assert [r["specialist_id"] for r in _report(client, login(js1))["specialists"]] == [str(js1.id)]
    assert {r["specialist_id"] for r in _report(client, login(supervisor))["specialists"]} == {
        str(js1.id),
        str(js2.id),
    }
    response = client.get(
        WEEKLY, query_string={"team_id": str(other_team_specialist.team_id)}, headers=login(js1)
    )
    assert response.status_code == 404


def test_participants_see_no_reports_and_an_admin_names_the_team(client, make, login, team):
    supervisor, js1, _, _ = team
    participant_login = make.participant_user(make.participant(js1))
    assert client.get(WEEKLY, headers=login(participant_login)).status_code == 403
    admin = make.user("admin", team=None)
    response = client.get(WEEKLY, headers=login(admin))
    assert response.status_code == 422 and "team_id" in response.json["errors"]
    report = _report(client, login(admin), team_id=str(supervisor.team_id))
    assert len(report["specialists"]) == 2


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"from": "2026-47"}, "from", "2026-W47"),
        ({"to": "2025-W53"}, "to", "no week 53"),
        ({"from": "2026-W48", "to": "2026-W47"}, "from", "after"),
        ({"from": "2020-W01", "to": "2026-W47"}, "from", "At most"),
        ({"week": "2026-W47"}, "week", "Unknown"),
    ],
)
def test_a_bad_query_says_what_to_fix(client, make, login, team, query, field, words):
    supervisor, *_ = team
    response = client.get(WEEKLY, query_string=query, headers=login(supervisor))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert words in str(response.json["errors"][field]) + response.json["detail"]
