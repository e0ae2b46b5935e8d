"""The reminders one by one: who each job queues what for, and when not; how the dispatch
treats each notification; the preferences and job-runs routes. On a frozen clock, in the week of
Monday 19 October 2026 (local time Europe/Oslo)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from api.employers.models import Employer
from api.extensions import db
from api.push.models import PushSubscription
from api.push.payloads import COUNT_BODIES, build_count_payload
from api.scheduler.jobs import (
    JOB_NAMES,
    announce_weekly_report,
    nudge_about_participants_not_met,
    purge_history,
    purge_old_tombstones,
    remind_of_steps_due,
    remind_of_weekly_contacts,
    remind_participants_of_meetings,
    remind_specialists_of_meetings,
)
from api.scheduler.models import JobRun, Notification
from api.scheduler.notifications import dispatch, enqueue
from api.scheduler.preferences import Preferences
from tests.factories import Factory
from tests.push_service import PushService

OSLO = ZoneInfo("Europe/Oslo")
PREFERENCES = "/api/v1/push/preferences"
JOB_RUNS = "/api/v1/admin/job-runs"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=OSLO)


@pytest.fixture(autouse=True)
def quick_retries(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PUSH_RETRY_BASE_SECONDS", 0.01)
    monkeypatch.setitem(app.config, "PUSH_RETRY_MAX_SECONDS", 2.0)


@pytest.fixture
def f(app: Flask) -> Any:
    with app.app_context():
        yield Factory()
        db.session.remove()


def queued() -> list[tuple[uuid.UUID, str, uuid.UUID | None]]:
    """(user, kind, record) of every queued notification."""
    db.session.commit()
    return sorted(
        db.session.execute(
            select(Notification.user_id, Notification.kind, Notification.record_id)
        ).all(),
        key=str,
    )


def subscribe(service: PushService, user: Any) -> Any:
    browser = service.subscription()
    db.session.add(
        PushSubscription(
            user_id=user.id, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
    )
    db.session.commit()
    return browser


# --- Meetings --------------------------------------------------------------------------------


def test_the_evening_before_a_participant_with_a_login_hears_of_tomorrows_meetings(f):
    js = f.user("specialist")
    with_login = f.participant(js)
    login = f.participant_user(with_login)
    without = f.participant(js)
    closed = f.participant(js, status="closed", closed_on=date(2026, 10, 1))
    f.participant_user(closed)
    tomorrow = f.meeting(with_login, starts_at=local(23, 0, 30), status="planned")
    f.meeting(with_login, starts_at=local(24, 0, 30), status="planned")  # the day after
    f.meeting(with_login, starts_at=local(23, 9), status="cancelled")
    f.meeting(with_login, starts_at=local(23, 11), status="planned", deleted_at=local(20, 9))
    f.meeting(without, starts_at=local(23, 9), status="planned")
    f.meeting(closed, starts_at=local(23, 9), status="planned")
    assert remind_participants_of_meetings(local(22, 18)) == "queued 1 of 1 meeting reminders"
    assert queued() == [(login.id, "meeting_reminder", tomorrow.id)]
    # The same run again queues nothing; a meeting moved to another time is reminded again.
    assert remind_participants_of_meetings(local(22, 18)) == "queued 0 of 1 meeting reminders"
    tomorrow.starts_at = local(23, 14)
    db.session.commit()
    assert remind_participants_of_meetings(local(22, 18)) == "queued 1 of 1 meeting reminders"
    expiries = set(db.session.scalars(select(Notification.expires_at)))
    assert expiries == {local(23, 0, 30), local(23, 14)}


def test_an_inactive_login_gets_no_meeting_reminder(f):
    js = f.user("specialist")
    participant = f.participant(js)
    login = f.participant_user(participant)
    login.is_active = False
    db.session.commit()
    f.meeting(participant, starts_at=local(23, 10), status="planned")
    assert remind_participants_of_meetings(local(22, 18)) == "queued 0 of 0 meeting reminders"


def test_the_specialist_is_reminded_an_hour_before(f):
    js = f.user("specialist")
    participant = f.participant(js)
    soon = f.meeting(participant, starts_at=local(22, 10, 40), status="planned")
    later = f.meeting(participant, starts_at=local(22, 11, 5), status="planned")
    f.meeting(participant, starts_at=local(22, 11, 6), status="planned")  # the next run's
    f.meeting(participant, starts_at=local(22, 10, 0), status="planned")  # now: too late
    assert remind_specialists_of_meetings(local(22, 10)) == "queued 2 of 2 meeting reminders"
    not_before = dict(
        db.session.execute(select(Notification.record_id, Notification.not_before)).all()
    )
    assert not_before == {
        soon.id: local(22, 10).astimezone(UTC),  # less than an hour ahead: at once
        later.id: local(22, 10, 5).astimezone(UTC),
    }
    assert remind_specialists_of_meetings(local(22, 10, 5)) == "queued 1 of 3 meeting reminders"


# --- Not met for 14 days -----------------------------------------------------------------------


def test_a_participant_not_met_for_14_days_is_nudged_about_once_a_week(f):
    js = f.user("specialist")
    not_met = f.participant(js)
    f.meeting(not_met, starts_at=local(5, 10), status="held")
    f.meeting(not_met, starts_at=local(16, 10), status="planned")  # planned is not met
    f.meeting(not_met, starts_at=local(17, 10), status="no_show")
    met = f.participant(js)
    f.meeting(met, starts_at=local(8, 9), status="held")  # 14 days before the 22nd, 09:00
    f.participant(js, enrolled_on=date(2026, 10, 20))  # new: not 14 days in the programme
    f.participant(js, status="paused")
    assert nudge_about_participants_not_met(local(22, 8)) == "queued 1 of 1 nudges"
    assert queued() == [(js.id, "not_met_nudge", not_met.id)]
    assert nudge_about_participants_not_met(local(23, 8)) == "queued 1 of 1 nudges"  # now 15
    for day in range(24, 29):
        assert nudge_about_participants_not_met(local(day, 8)) == "queued 0 of 0 nudges", day
    assert nudge_about_participants_not_met(local(29, 8)) == "queued 1 of 1 nudges"
    assert [n.record_id for n in db.session.scalars(select(Notification))].count(not_met.id) == 2


# --- Face-to-face employer contacts ------------------------------------------------------------


def test_the_thursday_reminder_counts_this_weeks_face_to_face_contacts_in_local_time(f):
    team = f.team()
    behind, on_target = f.user("specialist", team=team), f.user("specialist", team=team)
    f.user("specialist", team=team, is_active=False)
    f.user("supervisor", team=team)
    employer = f.employer(team)
    # Week 43 runs from Monday 19 October 00:00 to Sunday 25 October 24:00, Oslo time.
    f.employer_contact(behind, employer, contacted_at=local(18, 23, 30))  # week 42
    f.employer_contact(behind, employer, contacted_at=local(19, 0, 30))  # Sunday in UTC
    f.employer_contact(behind, employer, contacted_at=local(20, 9), mode="phone")
    f.employer_contact(behind, employer, contacted_at=local(20, 10), deleted_at=local(21, 8))
    f.employer_contact(behind, employer, contacted_at=local(21, 10))
    for _ in range(6):
        f.employer_contact(on_target, employer, contacted_at=local(20, 10))
    assert remind_of_weekly_contacts(local(22, 12)) == "queued 1 of 1 reminders"
    rows = db.session.execute(select(Notification.user_id, Notification.count)).all()
    assert [tuple(row) for row in rows] == [(behind.id, 2)]
    assert build_count_payload("weekly_contacts", 2)["body"] == (
        "Du har 2 av 6 arbeidsgiverkontakter ansikt til ansikt denne uken."
    )


def test_only_a_whole_number_goes_into_a_text_with_a_count():
    assert set(COUNT_BODIES) == {"weekly_contacts"}
    for wrong in ("4", 4.0, True, None):
        with pytest.raises(TypeError):
            build_count_payload("weekly_contacts", wrong)  # type: ignore[arg-type]
    for out_of_range in (-1, 1000):
        with pytest.raises(ValueError):
            build_count_payload("weekly_contacts", out_of_range)
    with pytest.raises(ValueError):
        build_count_payload("step_due", 1)


# --- The report, and plan steps ----------------------------------------------------------------


def test_supervisors_hear_of_last_weeks_report_on_monday(f):
    team = f.team()
    boss = f.user("supervisor", team=team)
    f.user("supervisor", team=team, is_active=False)
    f.user("specialist", team=team)
    f.user("admin")
    assert announce_weekly_report(local(26, 8)) == "queued 1 of 1 announcements"
    assert queued() == [(boss.id, "report_ready", None)]
    assert db.session.scalar(select(Notification.dedupe_key)).endswith(":2026-W43")


def test_a_step_due_tomorrow_goes_to_its_owner(f):
    js = f.user("specialist")
    with_login = f.participant(js)
    login = f.participant_user(with_login)
    without = f.participant(js)
    tomorrow = date(2026, 10, 23)
    own = f.step(with_login, due_on=tomorrow, owner="participant")
    specialists = f.step(with_login, due_on=tomorrow, owner="specialist")
    no_login = f.step(without, due_on=tomorrow, owner="participant")
    f.step(with_login, due_on=tomorrow, done_at=local(21, 12))
    f.step(with_login, due_on=tomorrow, deleted_at=local(21, 12))
    f.step(with_login, due_on=date(2026, 10, 24))
    f.step(with_login)  # no due date
    assert remind_of_steps_due(local(22, 9)) == "queued 3 of 3 step reminders"
    assert queued() == sorted(
        [
            (login.id, "step_due", own.id),
            (js.id, "step_due", specialists.id),
            (js.id, "step_due", no_login.id),
        ],
        key=str,
    )


# --- Housekeeping ------------------------------------------------------------------------------


def test_the_nightly_purge_removes_old_tombstones(f):
    team = f.team()
    old = f.employer(team, deleted_at=local(1, 12) - timedelta(days=200)).id
    recent = f.employer(team, deleted_at=local(1, 12)).id
    detail = purge_old_tombstones(local(22, 3))
    assert detail == "removed 1 tombstones older than 180 days"
    db.session.commit()
    db.session.expunge_all()
    assert db.session.get(Employer, old) is None
    assert db.session.get(Employer, recent) is not None


def test_the_nightly_purge_forgets_old_notifications_and_job_runs(f):
    user = f.user("specialist")
    now = local(22, 3, 30)
    for age, status in ((40, "sent"), (40, "pending"), (5, "sent")):
        enqueue(
            user_id=user.id,
            kind="report_ready",
            dedupe_key=f"{age}-{status}",
            now=now - timedelta(days=age),
        )
        db.session.execute(
            Notification.__table__.update()
            .where(Notification.dedupe_key == f"{age}-{status}")
            .values(status=status)
        )
    for age in (40, 5):
        db.session.add(
            JobRun(
                job="tombstone_purge",
                scheduled_for=now - timedelta(days=age),
                started_at=now,
                outcome="ok",
                runner="t",
            )
        )
    db.session.commit()
    assert purge_history(now) == "removed 1 notifications and 1 job runs"
    db.session.commit()
    kept = set(db.session.scalars(select(Notification.dedupe_key)))
    assert kept == {"40-pending", "5-sent"}


# --- Dispatch ----------------------------------------------------------------------------------


@pytest.fixture
def push_service() -> Any:
    with PushService() as service:
        yield service


def test_what_cannot_or_need_not_be_sent_is_skipped_with_the_reason(f, push_service):
    team = f.team()
    inactive = f.user("specialist", team=team, is_active=False)
    unsubscribed = f.user("specialist", team=team)
    late = f.user("specialist", team=team)
    for user in (inactive, late):
        subscribe(push_service, user)
    now = local(22, 12)
    enqueue(user_id=inactive.id, kind="report_ready", dedupe_key="inactive", now=now)
    enqueue(user_id=unsubscribed.id, kind="report_ready", dedupe_key="no device", now=now)
    enqueue(
        user_id=late.id,
        kind="meeting_reminder",
        record_id=uuid.uuid4(),
        dedupe_key="late",
        now=now - timedelta(hours=2),
        expires_at=now - timedelta(minutes=1),
    )
    db.session.commit()
    assert str(dispatch(now)) == "sent 0, failed 0, skipped 3, deferred 0"
    details = dict(db.session.execute(select(Notification.dedupe_key, Notification.detail)).all())
    assert details == {
        "inactive": "The user is not active.",
        "no device": "The user has no push subscription.",
        "late": "Too late: what it reminds of has begun.",
    }
    assert push_service.attempts == []


def test_a_refused_message_is_failed_with_the_push_services_reason(f, push_service):
    user = f.user("specialist")
    browser = subscribe(push_service, user)
    push_service.answer(browser, 400)
    enqueue(user_id=user.id, kind="report_ready", dedupe_key="refused", now=local(22, 12))
    db.session.commit()
    assert dispatch(local(22, 12))["failed"] == 1
    failed = db.session.scalar(select(Notification))
    assert failed.status == "failed" and "(400)" in failed.detail
    assert dispatch(local(22, 12, 1))["failed"] == 0  # not tried again


def test_a_claim_left_by_a_dispatcher_that_died_is_taken_over(f, push_service):
    user = f.user("specialist")
    subscribe(push_service, user)
    enqueue(user_id=user.id, kind="report_ready", dedupe_key="orphan", now=local(22, 12))
    db.session.execute(
        Notification.__table__.update().values(status="sending", claimed_at=local(22, 12))
    )
    db.session.commit()
    assert dispatch(local(22, 12, 5))["sent"] == 0  # still another dispatcher's
    assert dispatch(local(22, 12, 11))["sent"] == 1
    assert len(push_service.delivered) == 1


# --- Quiet hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quiet", "at", "until"),
    [
        ((time(20), time(8)), local(22, 19, 59), None),
        ((time(20), time(8)), local(22, 20), local(23, 8)),
        ((time(20), time(8)), local(23, 7, 59), local(23, 8)),
        ((time(20), time(8)), local(23, 8), None),
        ((time(12), time(13)), local(22, 12, 30), local(22, 13)),
        ((time(12), time(13)), local(22, 13), None),
        ((time(0), time(6)), local(22, 23), None),
        (None, local(22, 3), None),
        # The night the clocks go back is an hour longer: 08:00 is 07:00 UTC.
        ((time(20), time(8)), local(24, 21), datetime(2026, 10, 25, 7, tzinfo=UTC)),
    ],
)
def test_quiet_hours(quiet, at, until):
    result = Preferences(quiet_hours=quiet).quiet_until(at, OSLO)
    assert result == (until.astimezone(UTC) if until else None)


# --- The routes --------------------------------------------------------------------------------

DEFAULTS = {
    "kinds": {
        "meeting_reminder": True,
        "not_met_nudge": True,
        "weekly_contacts": True,
        "report_ready": True,
        "step_due": True,
    },
    "quiet_hours": {"start": "20:00", "end": "08:00"},
    "time_zone": "Europe/Oslo",
}


def test_preferences_are_the_defaults_until_chosen_and_each_users_own(client, make, login):
    js, other = make.user("specialist"), make.user("supervisor")
    headers = login(js)
    assert client.get(PREFERENCES, headers=headers).json == DEFAULTS
    quiet = {"start": "22:30", "end": "06:00"}
    chosen = {"kinds": {"weekly_contacts": False}, "quiet_hours": quiet}
    response = client.put(PREFERENCES, json=chosen, headers=headers)
    assert response.status_code == 200, response.json
    expected = {
        **DEFAULTS,
        "kinds": {**DEFAULTS["kinds"], "weekly_contacts": False},
        "quiet_hours": {"start": "22:30", "end": "06:00"},
    }
    assert response.json == expected
    assert client.get(PREFERENCES, headers=headers).json == expected
    assert client.get(PREFERENCES, headers=login(other)).json == DEFAULTS
    # No quiet hours at all; every kind on again.
    response = client.put(PREFERENCES, json={"kinds": {}, "quiet_hours": None}, headers=headers)
    assert response.json == {**DEFAULTS, "quiet_hours": None}


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ({"kinds": {"birthday": True}, "quiet_hours": None}, "kinds", "the kinds are"),
        ({"kinds": {"step_due": "no"}, "quiet_hours": None}, "kinds", "true or false"),
        ({"kinds": {}, "quiet_hours": {"start": "8", "end": "20:00"}}, "quiet_hours", "HH:MM"),
        ({"kinds": {}, "quiet_hours": {"start": "24:00", "end": "06:00"}}, "quiet_hours", "23:59"),
        ({"kinds": {}, "quiet_hours": {"start": "20:00\n", "end": "6:00"}}, "quiet_hours", ":MM"),
        ({"kinds": {}, "quiet_hours": {"start": "20:00", "end": "20:00"}}, "quiet_hours", "same"),
        ({"kinds": {}, "quiet_hours": {"start": "20:00"}}, "quiet_hours", "required"),
        ({"kinds": {}}, "quiet_hours", "required"),
        ({"quiet_hours": None}, "kinds", "required"),
        ({"kinds": {}, "quiet_hours": None, "time_zone": "UTC"}, "time_zone", "Unknown"),
    ],
)
def test_bad_preferences_are_refused_saying_what_to_fix(client, make, login, body, field, says):
    headers = login(make.user("specialist"))
    response = client.put(PREFERENCES, json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert says in str(response.json["errors"][field]), response.json
    assert client.get(PREFERENCES, headers=headers).json == DEFAULTS


def test_preferences_need_a_sign_in(client):
    assert client.get(PREFERENCES).status_code == 401
    assert client.put(PREFERENCES, json={"kinds": {}, "quiet_hours": None}).status_code == 401


def test_job_runs_are_listed_newest_first_for_admins_only(app, client, make, login):
    admin = make.user("admin")
    with app.app_context():
        for hour in range(5):
            for job in ("notification_dispatch", "tombstone_purge"):
                db.session.add(
                    JobRun(
                        job=job,
                        scheduled_for=local(22, hour),
                        started_at=local(22, hour),
                        outcome="ok",
                        detail="sent 0",
                        runner="host:1",
                    )
                )
        db.session.commit()
    headers = login(admin)
    response = client.get(JOB_RUNS, headers=headers, query_string={"page_size": 3})
    assert response.status_code == 200, response.json
    assert [run["scheduled_for"] for run in response.json][:2] == [
        "2026-10-22T02:00:00+00:00",
        "2026-10-22T02:00:00+00:00",
    ]
    assert len(response.json) == 3
    assert '"total": 10' in response.headers["X-Pagination"]
    only = client.get(JOB_RUNS, headers=headers, query_string={"job": "tombstone_purge"}).json
    assert [run["job"] for run in only] == ["tombstone_purge"] * 5
    assert set(only[0]) == {
        "id",
        "job",
        "scheduled_for",
        "started_at",
        "finished_at",
        "outcome",
        "detail",
        "runner",
    }
    unknown = client.get(JOB_RUNS, headers=headers, query_string={"job": "coffee"})
    assert unknown.status_code == 422 and "tombstone_purge" in str(unknown.json["errors"])
    assert client.get(JOB_RUNS, headers=headers, query_string={"jobb": "x"}).status_code == 422
    for role in ("specialist", "supervisor", "participant"):
        assert client.get(JOB_RUNS, headers=login(make.user(role))).status_code == 403
    assert client.get(JOB_RUNS).status_code == 401
    operation = app.test_client().get("/api/openapi.json").json["paths"][JOB_RUNS]["get"]
    [job] = [p for p in operation["parameters"] if p["name"] == "job"]
    assert job["schema"]["enum"] == list(JOB_NAMES)


def test_queueing_the_same_key_twice_keeps_the_first(f):
    user = f.user("specialist")
    first = enqueue(user_id=user.id, kind="report_ready", dedupe_key="k", now=local(22, 8))
    second = enqueue(user_id=user.id, kind="step_due", dedupe_key="k", now=local(22, 9))
    db.session.commit()
    assert (first, second) == (True, False)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    with pytest.raises(ValueError):
        enqueue(user_id=user.id, kind="birthday", dedupe_key="x", now=local(22, 9))
