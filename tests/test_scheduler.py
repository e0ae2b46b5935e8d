"""The scheduler: its jobs run at local time (across a DST change), each slot once however many
scheduler processes there are, missed slots caught up once, a slot left running by a process that
died taken over by exactly one other after the timeout; the notifications it queues are sent
once each, respecting preferences and quiet hours, through a real (local) push service that
decrypts them, so that we can check they carry no names.

Everything runs on a frozen clock: each test calls the runner with the `now` it wants.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import event, func, select

from api.common.model import utcnow
from api.extensions import db
from api.push.models import PushSubscription
from api.push.payloads import BODIES, COUNT_BODIES, build_count_payload
from api.scheduler.jobs import JOB_BY_NAME, JOB_NAMES, JOBS, Job
from api.scheduler.models import JobRun, Notification
from api.scheduler.notifications import dispatch, enqueue
from api.scheduler.preferences import save_preferences
from api.scheduler.runner import (
    TAKE_OVER_EVERY,
    build_scheduler,
    claim,
    last_slot,
    run_due,
    run_job,
    runner_name,
    slots_between,
    take_over_stale,
)
from tests.factories import Factory
from tests.push_service import BrowserSubscription, PushService

OSLO = ZoneInfo("Europe/Oslo")
WAIT = 30  # seconds: a bound on any wait between threads, so a broken runner fails, not hangs
# The week of Sunday 25 October 2026, when the clocks go back from 03:00 CEST to 02:00 CET.
WEEK_START = datetime(2026, 10, 19, tzinfo=OSLO)  # Monday 00:00 CEST
WEEK_END = datetime(2026, 10, 27, tzinfo=OSLO)  # the Tuesday after, 00:00 CET
NAMES = ("Kari", "Nordmann", "Ola", "Haugen", "Eva", "Berg", "Per", "Lie", "Siri", "Dahl")


def local(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    """A wall-clock time in Oslo in 2026 (in the repeated autumn hour: the first one)."""
    return datetime(2026, month, day, hour, minute, tzinfo=OSLO)


def utc(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def quick_retries(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PUSH_RETRY_BASE_SECONDS", 0.01)
    monkeypatch.setitem(app.config, "PUSH_RETRY_MAX_SECONDS", 2.0)
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 5.0)


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield
        db.session.remove()


def subscribe(service: PushService, user: Any) -> BrowserSubscription:
    browser = service.subscription()
    db.session.add(
        PushSubscription(
            user_id=user.id, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
    )
    db.session.commit()
    return browser


def mark_done(now: datetime) -> None:
    """As if a scheduler had been running until `now`: each job's last slot has its run."""
    for job in JOBS:
        slot = last_slot(job, now)
        assert slot is not None
        db.session.add(
            JobRun(job=job.name, scheduled_for=slot, started_at=slot, outcome="ok", runner="t")
        )
    db.session.commit()


@dataclass(frozen=True)
class Message:
    at: datetime  # the frozen clock when it went out
    to: str  # who (a name of the test's cast)
    kind: str
    id: str | None
    body: str


class Inbox:
    """What the push service delivered, by recipient, read after each step of the clock."""

    def __init__(self, service: PushService) -> None:
        self.service = service
        self.owners: dict[str, str] = {}
        self.seen = 0
        self.messages: list[Message] = []

    def give(self, name: str, user: Any) -> BrowserSubscription:
        browser = subscribe(self.service, user)
        self.owners[PushService.path_of(browser)] = name
        return browser

    def read(self, at: datetime) -> list[Message]:
        new = self.service.delivered[self.seen :]
        self.seen += len(new)
        messages = [
            Message(at, self.owners[m.path], m.payload["kind"], m.payload["id"], m.payload["body"])
            for m in new
        ]
        self.messages.extend(messages)
        return messages


def assert_nothing_personal(service: PushService) -> None:
    """Every message, decrypted as the browser reads it: a kind, an id, fixed texts."""
    assert service.delivered
    fixed = set(BODIES.values())
    counted = [re.escape(text).replace(r"\{count\}", r"\d{1,3}") for text in COUNT_BODIES.values()]
    for message in service.delivered:
        payload = message.payload
        assert set(payload) == {"kind", "id", "title", "body"}, payload
        assert payload["title"] == "Feltlogg"
        assert payload["body"] in fixed or any(re.fullmatch(c, payload["body"]) for c in counted)
        assert payload["id"] is None or uuid.UUID(payload["id"])
        text = str(payload)
        assert not [name for name in NAMES if name in text], payload


# --- The schedule: local time, across the change --------------------------------------------


def test_the_triggers_fire_at_local_time_across_both_changes_of_the_clocks(ctx):
    """APScheduler's cron triggers as the jobs use them: strictly later each time, at the local
    hour in summer and winter time (the jobs every few minutes count in UTC, where no hour
    repeats)."""
    weekly = {"weekly_report_ready": 2, "weekly_contacts_reminders": 1}  # in 8 days from Monday
    for first, last in ((local(19, 0), local(27, 0)), (local(23, 0, 0, 3), local(31, 0, 0, 3))):
        for job in JOBS:
            if "hour" not in job.schedule:
                continue
            slots = slots_between(job, first, last)
            assert slots == sorted(set(slots)), job.name
            assert len(slots) == weekly.get(job.name, 8), (job.name, slots)
            wall = {slot.astimezone(OSLO).strftime("%a %H:%M") for slot in slots}
            clock = f"{job.schedule['hour']:02d}:{job.schedule['minute']:02d}"
            day = job.schedule.get("day_of_week", "").title()
            assert {w.split()[1] for w in wall} == {clock}, (job.name, wall)
            assert not day or {w.split()[0] for w in wall} == {day}, (job.name, wall)
    # Every few minutes, through the night of each change: evenly spaced, never repeated.
    for night in (utc(24, 22), utc(28, 23, 0, 3)):  # local midnight before each change
        for name in ("specialist_meeting_reminders", "notification_dispatch"):
            job = JOB_BY_NAME[name]
            slots = slots_between(job, night, night + timedelta(hours=6))
            step = timedelta(minutes=1 if job.schedule["minute"] == "*" else 5)
            assert all(b - a == step for a, b in itertools.pairwise(slots)), name
            assert len(slots) == 6 * 60 // (step.seconds // 60) + 1
    # The autumn week is 8 days and one hour long: every 5 minutes, 12 more runs.
    every_five = JOB_BY_NAME["specialist_meeting_reminders"]
    assert (
        len(slots_between(every_five, WEEK_START, WEEK_END - timedelta(seconds=1)))
        == (8 * 24 + 1) * 12
    )


def test_a_week_of_the_schedule_with_the_clocks_going_back(ctx, push_service):
    """Monday 19 to Monday 26 October 2026 on a clock that moves an hour at a time (every job
    slot in the week is on the hour): each job runs at its local time, and each person gets
    what they should, when they should, and nothing else."""
    f = Factory()
    team = f.team()
    boss = f.user("supervisor", team=team, name="Siri Dahl")
    js1 = f.user("specialist", team=team, name="Eva Berg")
    js2 = f.user("specialist", team=team, name="Per Lie")
    gone = f.user("specialist", team=team, name="Ola Haugen", is_active=False)
    kari = f.participant(js1, first_name="Kari", last_name="Nordmann")
    kari_login = f.participant_user(kari)
    ola = f.participant(js1, first_name="Ola", last_name="Haugen")  # no login of his own
    inbox = Inbox(push_service)
    cast = {"boss": boss, "js1": js1, "js2": js2, "gone": gone, "kari": kari_login}
    for name, user in cast.items():
        inbox.give(name, user)

    # js1: 4 face-to-face employer contacts in week 43 (and two by phone, one the week before);
    # js2: 6, on target.
    employer = f.employer(team)
    for day in (19, 20, 20, 21):
        f.employer_contact(js1, employer, contacted_at=local(day, 10))
    for mode in ("phone", "email"):
        f.employer_contact(js1, employer, contacted_at=local(21, 11), mode=mode)
    f.employer_contact(js1, employer, contacted_at=local(16, 10))
    for day in (19, 19, 20, 20, 21, 22):
        f.employer_contact(js2, employer, contacted_at=local(day, 9))
    # Kari was met on the 15th; Ola last on 1 October.
    f.meeting(kari, starts_at=local(15, 10), status="held")
    f.meeting(ola, starts_at=local(1, 10), status="held")
    friday = f.meeting(kari, starts_at=local(23, 10), status="planned")
    monday = f.meeting(kari, starts_at=local(26, 10), status="planned")  # CET, after the change
    f.meeting(kari, starts_at=local(24, 10), status="cancelled")
    kari_step = f.step(kari, due_on=date(2026, 10, 21), owner="participant")
    ola_step = f.step(ola, due_on=date(2026, 10, 26), owner="participant")
    f.step(kari, due_on=date(2026, 10, 22), owner="specialist", done_at=local(20, 12))

    mark_done(WEEK_START)
    now = WEEK_START
    while now < WEEK_END:
        now = (now.astimezone(UTC) + timedelta(hours=1)).astimezone(OSLO)
        run_due(now)
        inbox.read(now)

    def sent(to: str, kind: str, record: Any, at: datetime, body: str | None = None) -> Message:
        record_id = None if record is None else str(record.id)
        return Message(at.astimezone(OSLO), to, kind, record_id, body or BODIES[kind])

    in_winter = local(26, 10).utcoffset()
    assert in_winter == timedelta(hours=1) and local(23, 10).utcoffset() == timedelta(hours=2)
    four_of_six = build_count_payload("weekly_contacts", 4)["body"]
    assert sorted(inbox.messages, key=lambda m: (m.at, m.to)) == [
        sent("boss", "report_ready", None, local(19, 8)),
        sent("js1", "not_met_nudge", ola, local(19, 8)),
        sent("kari", "step_due", kari_step, local(20, 9)),
        sent("js1", "weekly_contacts", None, local(22, 12), four_of_six),
        sent("kari", "meeting_reminder", friday, local(22, 18)),
        sent("js1", "meeting_reminder", friday, local(23, 9)),
        sent("js1", "step_due", ola_step, local(25, 9)),  # Ola has no login: his specialist
        sent("kari", "meeting_reminder", monday, local(25, 18)),
        sent("boss", "report_ready", None, local(26, 8)),
        sent("js1", "not_met_nudge", ola, local(26, 8)),  # a week after the last nudge
        sent("js1", "meeting_reminder", monday, local(26, 9)),
    ]
    assert_nothing_personal(push_service)

    def runs(name: str) -> list[datetime]:
        return [
            slot.astimezone(OSLO)
            for slot in db.session.scalars(
                select(JobRun.scheduled_for)
                .where(JobRun.job == name, JobRun.scheduled_for > WEEK_START)
                .order_by(JobRun.scheduled_for)
            )
        ]

    assert runs("weekly_contacts_reminders") == [local(22, 12)]
    assert [t.astimezone(UTC) for t in runs("weekly_report_ready")] == [utc(19, 6), utc(26, 7)]
    assert runs("participant_meeting_reminders") == [local(day, 18) for day in range(19, 27)]
    assert [t.astimezone(UTC).hour for t in runs("participant_meeting_reminders")] == [16] * 6 + [
        17
    ] * 2
    assert runs("tombstone_purge") == [local(day, 3) for day in range(19, 27)]
    hours = 8 * 24 + 1
    assert len(runs("notification_dispatch")) == hours
    outcomes = Counter(db.session.scalars(select(JobRun.outcome)))
    assert outcomes == {"ok": len(JOBS) + hours * 2 + 8 * 5 + 2 + 1}, outcomes


def test_the_hour_before_reminder_is_an_hour_before_across_the_change(ctx, push_service):
    """Sunday 25 October: 02:00-03:00 happens twice. A meeting at 02:30 in winter time and one
    at 03:00 get their reminder a real hour before (at 02:30 summer time, and at 02:00 winter
    time), not at a wall-clock hour before."""
    f = Factory()
    js = f.user("specialist")
    participant = f.participant(js)
    inbox = Inbox(push_service)
    inbox.give("js", js)
    save_preferences(js.id, {}, None)  # no quiet hours: these are night meetings
    db.session.commit()
    starts = {
        "02:30 summer": utc(25, 0, 30),
        "02:30 winter": utc(25, 1, 30),
        "03:00 winter": utc(25, 2, 0),
        "08:30 winter": utc(25, 7, 30),
    }
    assert starts["02:30 summer"].astimezone(OSLO).strftime("%H:%M%z") == "02:30+0200"
    assert starts["02:30 winter"].astimezone(OSLO).strftime("%H:%M%z") == "02:30+0100"
    meetings = {
        name: f.meeting(participant, starts_at=at, status="planned").id
        for name, at in starts.items()
    }
    jobs = [JOB_BY_NAME["specialist_meeting_reminders"], JOB_BY_NAME["notification_dispatch"]]
    now = utc(24, 22, 0)
    mark_done(now)
    while now < utc(25, 7, 0):
        now += timedelta(minutes=1)
        run_due(now, jobs)
        inbox.read(now)
    went_out = {message.id: message.at for message in inbox.messages}
    assert went_out == {str(meetings[name]): at - timedelta(hours=1) for name, at in starts.items()}
    assert len(inbox.messages) == 4
    assert went_out[str(meetings["02:30 winter"])].astimezone(OSLO).strftime("%H:%M%z") == (
        "02:30+0200"
    )
    assert went_out[str(meetings["03:00 winter"])].astimezone(OSLO).strftime("%H:%M%z") == (
        "02:00+0100"
    )


# --- Exactly once ---------------------------------------------------------------------------


def test_a_slot_runs_once(ctx):
    job = JOB_BY_NAME["weekly_report_ready"]
    first = run_job(job, utc(19, 6))
    second = run_job(job, utc(19, 6))
    assert (first.outcome, second.outcome) == ("ok", "taken")
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def _cast_for_a_busy_day(f: Factory, inbox: Inbox, people: int = 3) -> int:
    """Specialists with participants who have logins, meetings on Tuesday 20 October and steps
    due then; how many notifications Monday to Thursday should bring."""
    team = f.team()
    boss = f.user("supervisor", team=team)
    inbox.give("boss", boss)
    expected = 1  # the supervisor's Monday report
    for n in range(people):
        js = f.user("specialist", team=team)
        inbox.give(f"js{n}", js)
        expected += 1  # fewer than 6 contacts this week
        for m in range(2):
            p = f.participant(js)
            inbox.give(f"p{n}{m}", f.participant_user(p))
            f.meeting(p, starts_at=local(20, 10 + m), status="planned")  # Tuesday
            f.step(p, due_on=date(2026, 10, 20), owner="participant")
            # The evening before, the hour before, the step; and not met for 14 days.
            expected += 4
    return expected


def _steps(first: datetime, last: datetime, every: timedelta) -> list[datetime]:
    steps, now = [], first
    while now <= last:
        steps.append(now)
        now += every
    return steps


def test_two_schedulers_at_once_send_each_reminder_exactly_once(app, ctx, push_service):
    """Two scheduler processes (threads here, each with its own app context and database
    session) running every job at the same moments: each slot runs once, each reminder is
    delivered once."""
    inbox = Inbox(push_service)
    expected = _cast_for_a_busy_day(Factory(), inbox)
    # Monday 19 October from 07:00 to Tuesday 11:00 local, in steps of 10 minutes; and a
    # Thursday noon.
    steps = _steps(local(19, 7), local(20, 11), timedelta(minutes=10))
    steps.append(local(22, 12))
    mark_done(steps[0] - timedelta(minutes=1))
    db.session.remove()
    processes = 2
    barrier = threading.Barrier(processes, timeout=WAIT)
    errors: list[BaseException] = []
    outcomes: list[list[str]] = [[] for _ in range(processes)]

    def scheduler_process(mine: list[str]) -> None:
        try:
            with app.app_context():
                for now in steps:
                    barrier.wait()
                    mine.extend(result.outcome for result in run_due(now))
                db.session.remove()
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=scheduler_process, args=(mine,)) for mine in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 4)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    per_person = Counter(
        (m.payload["kind"], m.payload["id"], m.path) for m in push_service.delivered
    )
    assert len(push_service.delivered) == expected
    assert set(per_person.values()) == {1}
    taken = Counter(outcome for mine in outcomes for outcome in mine)
    slots = db.session.execute(select(JobRun.job, JobRun.scheduled_for)).all()
    assert len(slots) == len(set(slots))
    assert taken["ok"] == len(slots) - len(JOBS)  # mark_done's runs came before
    assert taken["failed"] == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.status != "sent")
        )
        == 0
    )
    assert_nothing_personal(push_service)


def test_two_dispatchers_never_send_the_same_notification(app, ctx, push_service):
    """The dispatch itself, twice at once, a row at a time: the claims never overlap."""
    f = Factory()
    team = f.team()
    now = local(21, 12)
    users = [f.user("specialist", team=team) for _ in range(20)]
    browsers = [subscribe(push_service, user) for user in users]
    for user in users:
        enqueue(
            user_id=user.id,
            kind="report_ready",
            dedupe_key=f"race:{user.id}",
            now=now - timedelta(minutes=1),
        )
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(2, timeout=WAIT)
    counts: list[Any] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            with app.app_context():
                barrier.wait()
                counts.append(dispatch(now, batch_size=1))
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert not errors, errors
    assert sum(c["sent"] for c in counts) == 20
    assert Counter(m.path for m in push_service.delivered) == {
        PushService.path_of(browser): 1 for browser in browsers
    }
    statuses = Counter(db.session.scalars(select(Notification.status)))
    attempts = set(db.session.scalars(select(Notification.attempts)))
    assert (statuses, attempts) == ({"sent": 20}, {1})


def test_missed_runs_after_downtime_are_caught_up_once_each(ctx, push_service):
    """The scheduler was down from Monday 19 October 20:00 to Thursday 22 at 19:30: at start,
    each job runs once, for its last slot, not once for every slot it missed."""
    f = Factory()
    js = f.user("specialist")
    participant = f.participant(js)
    login = f.participant_user(participant)
    inbox = Inbox(push_service)
    inbox.give("participant", login)
    inbox.give("js", js)
    # Reminders of meetings on Tuesday and Wednesday were due while down: lost, not replayed.
    f.meeting(participant, starts_at=local(20, 10), status="planned")
    f.meeting(participant, starts_at=local(21, 10), status="planned")
    friday = f.meeting(participant, starts_at=local(23, 10), status="planned")
    mark_done(local(19, 20))
    before = db.session.scalar(select(func.count()).select_from(JobRun))

    results = run_due(local(22, 19, 30))
    # Each job once, but for the Monday report, whose last slot ran before the downtime.
    assert sorted(r.job for r in results) == sorted(set(JOB_NAMES) - {"weekly_report_ready"})
    slots = {r.job: r.scheduled_for.astimezone(OSLO) for r in results}
    assert slots["participant_meeting_reminders"] == local(22, 18)
    assert slots["weekly_contacts_reminders"] == local(22, 12)
    assert slots["not_met_nudges"] == local(22, 8)
    assert slots["notification_dispatch"] == local(22, 19, 30)
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == before + len(JOBS) - 1
    assert {r.outcome for r in results} == {"ok"}
    messages = inbox.read(local(22, 19, 30))
    # The catch-up did the work of Thursday's slots: Friday's meeting, this week's contacts,
    # the participant not met (never, in fact) for 14 days.
    assert sorted((m.to, m.kind, m.id) for m in messages) == [
        ("js", "not_met_nudge", str(participant.id)),
        ("js", "weekly_contacts", None),
        ("participant", "meeting_reminder", str(friday.id)),
    ]
    assert run_due(local(22, 19, 30)) == []  # and only once


def test_a_failing_job_is_recorded_with_the_kind_of_error_and_no_personal_data(ctx, monkeypatch):
    def broken(now: datetime) -> str:
        raise RuntimeError("Kari Nordmann's meeting could not be read")

    job = Job("broken", broken, {"hour": 8, "minute": 0}, True, timedelta(days=1), 60)
    result = run_job(job, utc(20, 6))
    run = db.session.scalar(select(JobRun).where(JobRun.job == "broken"))
    assert result.outcome == run.outcome == "failed"
    assert run.detail == "RuntimeError (see the scheduler's log)"
    assert run.finished_at is not None
    assert run_job(job, utc(20, 6)).outcome == "taken"  # a failed slot is not run again


# --- A process that died mid-run ------------------------------------------------------------

DEAD = "dead-host:4242"


@pytest.fixture
def runner_log(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The runner's warnings. (Migrating the test database ran Alembic's fileConfig, which
    disables every logger that existed at the time, the runner's included.)"""
    monkeypatch.setattr(logging.getLogger("api.scheduler.runner"), "disabled", False)
    caplog.set_level(logging.WARNING, logger="api.scheduler.runner")
    return caplog


def _left_running(job: Job, slot: datetime, started_ago: timedelta) -> None:
    """The row a scheduler process leaves when it is killed during the run of `slot`."""
    db.session.add(
        JobRun(
            job=job.name,
            scheduled_for=slot,
            started_at=utcnow() - started_ago,
            outcome="running",
            runner=DEAD,
        )
    )
    db.session.commit()


def _counted(ran: list[str]) -> Job:
    """A daily job that only counts its runs (in which thread) and says so."""
    lock = threading.Lock()

    def count(now: datetime) -> str:
        with lock:
            ran.append(threading.current_thread().name)
        return f"ran {len(ran)}"

    return Job("counted", count, {"hour": 8, "minute": 0}, True, timedelta(days=1), 60)


def test_a_slot_left_running_by_a_dead_process_is_taken_over_after_the_timeout_not_before(
    app, ctx, monkeypatch, runner_log
):
    """The Monday report's slot of 08:00, claimed by a process that was killed: within
    SCHEDULER_RUN_TIMEOUT_MINUTES nobody runs it (the process may still be working); after it,
    the next claim (the look for stale runs, or a start's catch-up) takes the slot over, runs the
    job once, and the run names the process it took over from."""
    monkeypatch.setitem(app.config, "SCHEDULER_RUN_TIMEOUT_MINUTES", 30)
    f = Factory()
    f.user("supervisor")
    job = JOB_BY_NAME["weekly_report_ready"]
    slot = utc(19, 6)
    _left_running(job, slot, timedelta(minutes=29))
    later = slot + timedelta(hours=2)

    assert run_job(job, slot).outcome == "taken"
    assert run_due(later, [job]) == []
    assert run_due(later, [job], stale_only=True) == []
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0

    db.session.execute(
        JobRun.__table__.update().values(started_at=utcnow() - timedelta(minutes=31))
    )
    db.session.commit()
    assert run_due(later, [], stale_only=True) == []  # (only the jobs asked about)
    [result] = run_due(later, [job], stale_only=True)
    assert (result.job, result.scheduled_for, result.outcome) == (job.name, slot, "ok")
    assert result.detail == f"took over from {DEAD}: queued 1 of 1 announcements"
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.scheduled_for, run.outcome, run.runner) == (slot, "ok", runner_name())
    assert run.detail == result.detail and run.finished_at is not None
    assert utcnow() - run.started_at < timedelta(minutes=1)
    assert any(DEAD in message for message in runner_log.messages), runner_log.messages
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    # Finished now: nobody runs it again, however late.
    db.session.execute(JobRun.__table__.update().values(started_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert run_job(job, slot).outcome == "taken"
    assert run_due(later, [job]) == []


def test_a_start_after_the_timeout_catches_up_a_slot_a_dead_process_left_running(ctx):
    """The scheduler was killed during the 03:00 purge and came back at 07:00: its catch-up
    at start takes the purge's slot over (the default timeout, an hour, has passed)."""
    job = JOB_BY_NAME["tombstone_purge"]
    now = local(20, 7)
    slot = last_slot(job, now)
    assert slot == local(20, 3)
    mark_done(local(20, 2))
    _left_running(job, slot, timedelta(hours=4))
    results = {result.job: result for result in run_due(now, [job])}
    assert results[job.name].outcome == "ok"
    assert results[job.name].detail.startswith(f"took over from {DEAD}: removed 0 tombstones")
    run = db.session.scalar(select(JobRun).where(JobRun.scheduled_for == slot))
    assert (run.outcome, run.runner) == ("ok", runner_name())


def test_the_look_for_stale_runs_takes_over_dead_runs_and_runs_nothing_else(app, ctx):
    """What every scheduler does every few minutes: it runs the last slot of each job whose run
    there outlived the timeout, and no other slot (missed slots are the catch-up's, at start)."""
    job = JOB_BY_NAME["history_purge"]
    slot = last_slot(job, utcnow())
    assert slot is not None
    _left_running(job, slot, timedelta(hours=2))
    take_over_stale(app)
    runs = db.session.execute(select(JobRun.job, JobRun.outcome, JobRun.runner)).all()
    assert runs == [(job.name, "ok", runner_name())]
    take_over_stale(app)
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 1


def test_two_processes_racing_to_take_over_a_dead_run_run_it_once(app, ctx):
    """Two scheduler processes (threads with sessions of their own) claim the same dead slot at
    once. On PostgreSQL both are held until each has read the stale run and is about to take it
    over, so that their UPDATEs meet: one waits for the other, then finds the run taken. On
    SQLite the first to begin holds the write lock until it has committed its claim."""
    ran: list[str] = []
    job = _counted(ran)
    slot = utc(20, 6)
    _left_running(job, slot, timedelta(hours=2))
    db.session.remove()
    postgresql = db.engine.dialect.name == "postgresql"
    at_update = threading.Barrier(2, timeout=WAIT)
    reached: list[str] = []

    def hold_before_taking_over(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE job_runs SET id="):
            reached.append(threading.current_thread().name)
            at_update.wait()

    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def scheduler_process() -> None:
        try:
            with app.app_context():
                outcomes[threading.current_thread().name] = run_job(job, slot).outcome
                db.session.remove()
        except BaseException as error:
            errors.append(error)
            at_update.abort()

    if postgresql:
        event.listen(db.engine, "before_cursor_execute", hold_before_taking_over)
    try:
        threads = [threading.Thread(target=scheduler_process, name=name) for name in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * 2)
    finally:
        if postgresql:
            event.remove(db.engine, "before_cursor_execute", hold_before_taking_over)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(outcomes.values()) == ["ok", "taken"]
    assert ran == [name for name, outcome in outcomes.items() if outcome == "ok"]
    if postgresql:
        assert sorted(reached) == ["one", "two"]  # the race was run, not avoided
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.outcome, run.detail) == ("ok", f"took over from {DEAD}: ran 1")


def test_a_run_taken_over_while_it_was_only_slow_does_not_record_over_the_new_one(
    app, ctx, runner_log
):
    """A process that was slow, not dead: past the timeout another process took its slot over.
    When the slow run ends, its outcome is not written over the run that replaced it."""
    ran: list[str] = []
    slot = utc(21, 6)
    taken_over: list[Any] = []

    def slow(now: datetime) -> str:
        def other_process() -> None:
            with app.app_context():
                db.session.execute(
                    JobRun.__table__.update().values(started_at=utcnow() - timedelta(hours=2))
                )
                db.session.commit()
                taken_over.append(claim(job, slot))
                db.session.remove()

        thread = threading.Thread(target=other_process)
        thread.start()
        thread.join(WAIT)
        ran.append("slow")
        return "slow work done"

    job = Job("slow", slow, {"hour": 8, "minute": 0}, True, timedelta(days=1), 60)
    result = run_job(job, slot)
    [claimed] = taken_over
    assert claimed is not None and claimed.taken_over_from == runner_name()
    assert (result.outcome, ran) == ("ok", ["slow"])
    [run] = db.session.scalars(select(JobRun)).all()
    assert (run.id, run.outcome, run.detail) == (claimed.run_id, "running", None)
    assert any("is not recorded" in m for m in runner_log.messages), runner_log.messages


def test_a_timeout_below_a_minute_stops_the_scheduler_at_start(app, monkeypatch):
    monkeypatch.setitem(app.config, "SCHEDULER_RUN_TIMEOUT_MINUTES", 0)
    with pytest.raises(RuntimeError, match="SCHEDULER_RUN_TIMEOUT_MINUTES"):
        build_scheduler(app)


# --- What is sent, and when ---------------------------------------------------------------


def test_quiet_hours_hold_a_reminder_until_they_end(ctx, push_service):
    """Due at 21:00, in the default quiet hours (20:00-08:00): it waits, and goes out at 08:00
    the next morning. It is not dropped."""
    f = Factory()
    js = f.user("specialist")
    participant = f.participant(js)
    inbox = Inbox(push_service)
    inbox.give("js", js)
    enqueue(
        user_id=js.id,
        kind="not_met_nudge",
        record_id=participant.id,
        dedupe_key="quiet",
        now=local(21, 21),
    )
    db.session.commit()
    assert str(dispatch(local(21, 21))) == "sent 0, failed 0, skipped 0, deferred 1"
    waiting = db.session.scalar(select(Notification))
    assert (waiting.status, waiting.not_before) == ("pending", local(22, 8).astimezone(UTC))
    assert dispatch(local(22, 7, 59))["sent"] == 0
    assert dispatch(local(22, 8))["sent"] == 1
    assert [(m.kind, m.id) for m in inbox.read(local(22, 8))] == [
        ("not_met_nudge", str(participant.id))
    ]
    db.session.refresh(waiting)
    assert (waiting.status, waiting.attempts) == ("sent", 2)


def test_quiet_hours_across_the_change_end_at_local_eight(ctx, push_service):
    """Quiet on the night of 24-25 October ends at 08:00 winter time (07:00 UTC)."""
    f = Factory()
    js = f.user("specialist")
    subscribe(push_service, js)
    enqueue(user_id=js.id, kind="report_ready", dedupe_key="night", now=local(24, 23))
    db.session.commit()
    dispatch(local(24, 23))
    assert db.session.scalar(select(Notification.not_before)) == utc(25, 7)


def test_a_kind_turned_off_is_not_sent(ctx, push_service):
    f = Factory()
    js = f.user("specialist")
    subscribe(push_service, js)
    save_preferences(js.id, {"weekly_contacts": False}, (time(22), time(6)))
    db.session.commit()
    enqueue(user_id=js.id, kind="weekly_contacts", count=2, dedupe_key="off", now=local(22, 12))
    enqueue(user_id=js.id, kind="report_ready", dedupe_key="on", now=local(22, 12))
    db.session.commit()
    counts = dispatch(local(22, 12))
    assert (counts["sent"], counts["skipped"]) == (1, 1)
    assert [m.payload["kind"] for m in push_service.delivered] == ["report_ready"]
    skipped = db.session.scalar(select(Notification).where(Notification.status == "skipped"))
    assert skipped.kind == "weekly_contacts" and "turned" in skipped.detail


def test_a_subscription_the_push_service_calls_gone_is_removed(ctx, push_service):
    f = Factory()
    js = f.user("specialist")
    dropped, kept = subscribe(push_service, js), subscribe(push_service, js)
    push_service.answer(dropped, 410)
    enqueue(user_id=js.id, kind="report_ready", dedupe_key="gone", now=local(22, 12))
    db.session.commit()
    assert dispatch(local(22, 12))["sent"] == 1
    endpoints = set(db.session.scalars(select(PushSubscription.endpoint)))
    assert endpoints == {kept.endpoint}
    assert len(push_service.delivered_to(kept)) == 1
    # With its last subscription gone, the next one is skipped, not failed.
    push_service.answer(kept, 410)
    enqueue(user_id=js.id, kind="report_ready", dedupe_key="gone again", now=local(22, 12))
    db.session.commit()
    assert dispatch(local(22, 12))["skipped"] == 1
    assert db.session.scalar(select(func.count()).select_from(PushSubscription)) == 0
    last = db.session.scalar(select(Notification).where(Notification.dedupe_key == "gone again"))
    assert last.status == "skipped" and "gone" in last.detail


# --- The command line ------------------------------------------------------------------------


def test_the_command_runs_due_jobs_once_and_exits(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ips", "scheduler", "--once"])
    assert result.exit_code == 0, result.output
    for name in JOB_NAMES:
        assert f"  {name}: next at " in result.output
        assert f"Ran {name} for " in result.output
    assert "(times in Europe/Oslo)" in result.output
    with app.app_context():
        runs = db.session.execute(select(JobRun.job, JobRun.outcome)).all()
    assert sorted(runs) == sorted((name, "ok") for name in JOB_NAMES)
    again = runner.invoke(args=["ips", "scheduler", "--once"])
    assert again.exit_code == 0, again.output
    assert "Ran weekly_report_ready" not in again.output


def test_the_command_registers_every_job_and_starts(app, monkeypatch):
    started: list[BlockingScheduler] = []
    monkeypatch.setattr(BlockingScheduler, "start", lambda self: started.append(self))
    result = app.test_cli_runner().invoke(args=["ips", "scheduler"])
    assert result.exit_code == 0, result.output
    assert "Scheduler started" in result.output
    [scheduler] = started
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {*JOB_NAMES, "catch_up", "take_over"}
    take_over = jobs.pop("take_over")
    assert isinstance(take_over.trigger, IntervalTrigger)
    assert take_over.trigger.interval == TAKE_OVER_EVERY
    assert take_over.max_instances == 1
    for name in JOB_NAMES:
        job = jobs[name]
        assert isinstance(job.trigger, CronTrigger)
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == JOB_BY_NAME[name].grace_seconds > 0
        zone = "Europe/Oslo" if JOB_BY_NAME[name].local_time else "UTC"
        assert str(job.trigger.timezone) == zone
    assert str(scheduler.timezone) == "Europe/Oslo"


def test_the_scheduler_catches_up_as_it_starts(app):
    """A real BlockingScheduler in a thread: its first act is to run the missed slots."""
    scheduler = build_scheduler(app)
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    try:
        with app.app_context():
            deadline = utcnow() + timedelta(seconds=WAIT)
            while utcnow() < deadline:
                done = db.session.scalar(
                    select(func.count()).select_from(JobRun).where(JobRun.outcome != "running")
                )
                db.session.commit()
                if done >= len(JOBS):
                    break
                threading.Event().wait(0.05)
            jobs = set(db.session.scalars(select(JobRun.job)))
        assert jobs >= set(JOB_NAMES)
    finally:
        scheduler.shutdown(wait=True)
        thread.join(WAIT)
