"""The scheduler's jobs: what each does, given `now` (the time of its slot), and when it runs.

Every job function takes the aware datetime of the run and reads no clock of its own, so tests
drive them with a frozen clock. Each returns a short detail for the job run: counts only.
Local times are Europe/Oslo (FELTLOGG_TIMEZONE).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.orm import aliased

from api.accounts.models import User
from api.activity.models import FACE_TO_FACE_MODES, EmployerContact, Meeting
from api.audit.retention import purge_audit_log
from api.auth.models import PasswordLink, RefreshToken, TokenFamily
from api.common.time import local_today, local_zone
from api.extensions import db
from api.participants.models import Participant
from api.plans.models import PlanStep
from api.push.payloads import WEEKLY_CONTACT_TARGET
from api.reports.weeks import IsoWeek
from api.scheduler.models import JobRun, Notification
from api.scheduler.notifications import dispatch, enqueue

# The specialist's meeting reminder goes out this long before the meeting.
MEETING_LEAD = timedelta(hours=1)
SPECIALIST_REMINDER_EVERY = timedelta(minutes=5)
NOT_MET_DAYS = 14
NOT_MET_NUDGE_EVERY = timedelta(days=7)
FINISHED = ("sent", "failed", "skipped")


def _key(*parts: object) -> str:
    return ":".join(str(part) for part in parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day_starts(day: date) -> datetime:
    """Local midnight at the start of `day`, in UTC (a day across a DST change is 23 or 25 h)."""
    return datetime.combine(day, time(0), tzinfo=local_zone()).astimezone(UTC)


def in_utc(run: Callable[[datetime], str]) -> Callable[[datetime], str]:
    """The job gets `now` in UTC, whatever zone it was given in: arithmetic on a datetime in
    Europe/Oslo is wall-clock arithmetic, an hour out across a DST change."""

    @functools.wraps(run)
    def run_in_utc(now: datetime) -> str:
        if now.tzinfo is None:
            raise ValueError("a job needs an aware `now`")
        return run(now.astimezone(UTC))

    return run_in_utc


def _queued(results: list[bool], what: str) -> str:
    return f"queued {sum(results)} of {len(results)} {what}"


@in_utc
def remind_participants_of_meetings(now: datetime) -> str:
    """The evening before: each participant with a login, of their planned meetings tomorrow."""
    tomorrow = local_today(now) + timedelta(days=1)
    login = aliased(User)
    rows = db.session.execute(
        select(Meeting.id, Meeting.starts_at, Participant.user_id)
        .join(Participant, Participant.id == Meeting.participant_id)
        .join(login, login.id == Participant.user_id)
        .where(
            Meeting.status == "planned",
            Meeting.deleted_at.is_(None),
            Meeting.starts_at >= _day_starts(tomorrow),
            Meeting.starts_at < _day_starts(tomorrow + timedelta(days=1)),
            Participant.deleted_at.is_(None),
            Participant.status != "closed",
            login.is_active.is_(True),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return _queued(
        [
            enqueue(
                user_id=row.user_id,
                kind="meeting_reminder",
                record_id=row.id,
                dedupe_key=_key("meeting_reminder", row.id, row.user_id, _stamp(row.starts_at)),
                now=now,
                expires_at=row.starts_at,
            )
            for row in rows
        ],
        "meeting reminders",
    )


@in_utc
def remind_specialists_of_meetings(now: datetime) -> str:
    """Every few minutes: each specialist, an hour before each of their planned meetings.
    Meetings starting before the next run is an hour away are queued now, to go out at their
    hour (in UTC arithmetic, so the hour is right across a DST change)."""
    specialist = aliased(User)
    rows = db.session.execute(
        select(Meeting.id, Meeting.starts_at, Meeting.specialist_id)
        .join(Participant, Participant.id == Meeting.participant_id)
        .join(specialist, specialist.id == Meeting.specialist_id)
        .where(
            Meeting.status == "planned",
            Meeting.deleted_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + MEETING_LEAD + SPECIALIST_REMINDER_EVERY,
            Participant.deleted_at.is_(None),
            specialist.is_active.is_(True),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    return _queued(
        [
            enqueue(
                user_id=row.specialist_id,
                kind="meeting_reminder",
                record_id=row.id,
                dedupe_key=_key(
                    "meeting_reminder", row.id, row.specialist_id, _stamp(row.starts_at)
                ),
                now=now,
                not_before=max(now, row.starts_at - MEETING_LEAD),
                expires_at=row.starts_at,
            )
            for row in rows
        ],
        "meeting reminders",
    )


@in_utc
def nudge_about_participants_not_met(now: datetime) -> str:
    """Each morning: the specialist of each active participant with no held meeting in the
    last 14 days (enrolled at least that long), at most once a week per participant."""
    today = local_today(now)
    met = select(Meeting.participant_id).where(
        Meeting.status == "held",
        Meeting.deleted_at.is_(None),
        Meeting.starts_at >= now - timedelta(days=NOT_MET_DAYS),
        Meeting.starts_at <= now,
    )
    nudged = select(Notification.record_id).where(
        Notification.kind == "not_met_nudge",
        Notification.record_id.is_not(None),
        Notification.created_at > now - NOT_MET_NUDGE_EVERY,
    )
    rows = db.session.execute(
        select(Participant.id, Participant.specialist_id)
        .join(User, User.id == Participant.specialist_id)
        .where(
            Participant.status == "active",
            Participant.deleted_at.is_(None),
            Participant.enrolled_on <= today - timedelta(days=NOT_MET_DAYS),
            Participant.id.not_in(met),
            Participant.id.not_in(nudged),
            User.is_active.is_(True),
        )
        .order_by(Participant.id)
    ).all()
    return _queued(
        [
            enqueue(
                user_id=row.specialist_id,
                kind="not_met_nudge",
                record_id=row.id,
                dedupe_key=_key("not_met_nudge", row.id, today),
                now=now,
            )
            for row in rows
        ],
        "nudges",
    )


@in_utc
def remind_of_weekly_contacts(now: datetime) -> str:
    """Thursday noon: each active specialist with fewer than 6 face-to-face employer contacts
    this ISO week, told how many they have."""
    week = IsoWeek.of(local_today(now))
    zone = local_zone()
    counts = dict(
        db.session.execute(
            select(EmployerContact.specialist_id, func.count())
            .where(
                EmployerContact.mode.in_(FACE_TO_FACE_MODES),
                EmployerContact.deleted_at.is_(None),
                EmployerContact.contacted_at >= week.starts_at(zone),
                EmployerContact.contacted_at < week.shifted(1).starts_at(zone),
            )
            .group_by(EmployerContact.specialist_id)
        ).all()
    )
    specialists = db.session.scalars(
        select(User.id).where(User.role == "specialist", User.is_active.is_(True)).order_by(User.id)
    ).all()
    behind = [
        (specialist_id, counts.get(specialist_id, 0))
        for specialist_id in specialists
        if counts.get(specialist_id, 0) < WEEKLY_CONTACT_TARGET
    ]
    return _queued(
        [
            enqueue(
                user_id=specialist_id,
                kind="weekly_contacts",
                count=count,
                dedupe_key=_key("weekly_contacts", specialist_id, week),
                now=now,
            )
            for specialist_id, count in behind
        ],
        "reminders",
    )


@in_utc
def announce_weekly_report(now: datetime) -> str:
    """Monday morning: each active supervisor, that last week's report is ready."""
    last_week = IsoWeek.of(local_today(now)).shifted(-1)
    supervisors = db.session.scalars(
        select(User.id).where(User.role == "supervisor", User.is_active.is_(True)).order_by(User.id)
    ).all()
    return _queued(
        [
            enqueue(
                user_id=supervisor_id,
                kind="report_ready",
                dedupe_key=_key("report_ready", supervisor_id, last_week),
                now=now,
            )
            for supervisor_id in supervisors
        ],
        "announcements",
    )


@in_utc
def remind_of_steps_due(now: datetime) -> str:
    """Each morning: the owner of each plan step due tomorrow and not done. A participant's
    step goes to their login; without an active one, to their specialist."""
    tomorrow = local_today(now) + timedelta(days=1)
    rows = db.session.execute(
        select(PlanStep.id, PlanStep.owner, Participant.user_id, Participant.specialist_id)
        .join(Participant, Participant.id == PlanStep.participant_id)
        .where(
            PlanStep.due_on == tomorrow,
            PlanStep.done_at.is_(None),
            PlanStep.deleted_at.is_(None),
            Participant.deleted_at.is_(None),
            Participant.status != "closed",
        )
        .order_by(PlanStep.id)
    ).all()
    logins = {row.user_id for row in rows if row.user_id is not None}
    active = set(
        db.session.scalars(select(User.id).where(User.id.in_(logins), User.is_active.is_(True)))
    )
    results = []
    for row in rows:
        recipient: uuid.UUID = row.specialist_id
        if row.owner == "participant" and row.user_id in active:
            recipient = row.user_id
        results.append(
            enqueue(
                user_id=recipient,
                kind="step_due",
                record_id=row.id,
                dedupe_key=_key("step_due", row.id, recipient, tomorrow),
                now=now,
                expires_at=_day_starts(tomorrow + timedelta(days=1)),
            )
        )
    return _queued(results, "step reminders")


@in_utc
def dispatch_notifications(now: datetime) -> str:
    """Every minute: send what is due."""
    return str(dispatch(now))


@in_utc
def purge_old_tombstones(now: datetime) -> str:
    """Nightly: the sync horizon (tombstones older than SYNC_TOMBSTONE_DAYS go)."""
    from api.offline.setup import feed
    from sync.purge import purge_tombstones

    days = int(current_app.config["SYNC_TOMBSTONE_DAYS"])
    removed = purge_tombstones(db.session, feed, now - timedelta(days=days))
    return f"removed {removed} tombstones older than {days} days"


@in_utc
def purge_old_mutations(now: datetime) -> str:
    """Nightly: the results of pushed mutations older than SYNC_TOMBSTONE_DAYS, which answer a
    replay with `duplicate` (a replay older than that is evaluated anew: docs/sync.md)."""
    from api.offline.setup import feed
    from sync.purge import purge_mutations

    days = int(current_app.config["SYNC_TOMBSTONE_DAYS"])
    forgotten = purge_mutations(db.session, feed, now - timedelta(days=days))
    return f"forgot {forgotten} mutation results older than {days} days"


@in_utc
def purge_sync_history(now: datetime) -> str:
    """The nightly tombstone purge: the sync horizon, for the records and the mutation log."""
    return f"{purge_old_tombstones(now)}; {purge_old_mutations(now)}"


@in_utc
def purge_sign_ins(now: datetime) -> str:
    """Nightly: refresh tokens past their expiry, and sign-ins (token families) left with none.

    A used refresh token stays until it expires: presented again, it is how a stolen copy is
    recognised and its sign-in ended (api/auth/service.rotate). Once expired its signature
    check refuses it anyway. A sign-in without tokens goes once it has outlived the longest
    refresh token it could have issued, or, if revoked, every access token it issued; a token
    naming a sign-in that no longer exists is refused as revoked (family_is_revoked), so
    removing one never lets anything back in.
    """
    config = current_app.config
    tokens, families = RefreshToken.__table__, TokenFamily.__table__
    expired: Any = db.session.execute(delete(tokens).where(tokens.c.expires_at < now))
    idle_before = now - timedelta(days=int(config["REFRESH_TOKEN_DAYS"]))
    revoked_before = now - timedelta(minutes=int(config["ACCESS_TOKEN_MINUTES"]))
    ended: Any = db.session.execute(
        delete(families).where(
            ~exists().where(tokens.c.family_id == families.c.id),
            or_(families.c.created_at < idle_before, families.c.revoked_at < revoked_before),
        )
    )
    # One-time password links are spent or expired within days; a day later they go.
    links: Any = db.session.execute(
        delete(PasswordLink).where(
            or_(PasswordLink.used_at < now - DAY, PasswordLink.expires_at < now - DAY)
        )
    )
    return (
        f"removed {expired.rowcount} expired refresh tokens, {ended.rowcount} sign-ins and "
        f"{links.rowcount} password links"
    )


@in_utc
def purge_old_audit_entries(now: datetime) -> str:
    """Nightly: audit entries older than AUDIT_RETENTION_DAYS (0: none, ever)."""
    days = int(current_app.config["AUDIT_RETENTION_DAYS"])
    if days <= 0:
        return "kept every audit entry (AUDIT_RETENTION_DAYS is 0)"
    removed = purge_audit_log(db.session, now - timedelta(days=days))
    return f"removed {removed} audit entries older than {days} days"


@in_utc
def purge_old_history(now: datetime) -> str:
    """The nightly history purge: the scheduler's history, ended sign-ins, old audit entries.

    Each part is committed on its own, the audit log last: a part that fails (say, the
    database role was granted no DELETE on audit_log, as docs/security.md suggests for a log
    the application cannot rewrite) fails the run but holds none of the others back.
    """
    details = []
    for part in (purge_history, purge_sign_ins, purge_old_audit_entries):
        details.append(part(now))
        db.session.commit()
    return "; ".join(details)


@in_utc
def purge_history(now: datetime) -> str:
    """Nightly: notifications dealt with and job runs older than SCHEDULER_HISTORY_DAYS."""
    config = current_app.config
    before = now - timedelta(days=int(config["SCHEDULER_HISTORY_DAYS"]))
    notifications: Any = db.session.execute(
        delete(Notification).where(
            Notification.status.in_(FINISHED),
            func.coalesce(Notification.finished_at, Notification.created_at) < before,
        )
    )
    # A job's last run is kept whatever the setting: without it, the next start would run the
    # job for that slot again.
    runs_before = min(before, now - max(job.lookback for job in JOBS))
    # A run still "running" past the timeout was left by a process that died (api/scheduler/
    # runner.py); it goes with the rest of the history.
    abandoned = now - timedelta(minutes=int(config["SCHEDULER_RUN_TIMEOUT_MINUTES"]))
    runs: Any = db.session.execute(
        delete(JobRun).where(
            JobRun.scheduled_for < runs_before,
            or_(JobRun.outcome != "running", JobRun.started_at < abandoned),
        )
    )
    return f"removed {notifications.rowcount} notifications and {runs.rowcount} job runs"


# --- The schedule ------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], str]
    # APScheduler cron fields: in local time, or in UTC for jobs every few minutes (APScheduler
    # 3's cron in a DST zone loops in the repeated autumn hour; minutes are the same in UTC).
    schedule: Mapping[str, Any]
    local_time: bool
    every: timedelta  # the longest gap between two slots (a DST change adds an hour)
    grace_seconds: int  # how late APScheduler may still start a run

    @property
    def lookback(self) -> timedelta:
        """How far back the last slot before a moment can be."""
        return self.every + min(self.every, timedelta(hours=1))


MINUTE, DAY, WEEK = timedelta(minutes=1), timedelta(days=1), timedelta(days=7)

# In run order for one moment: jobs that queue first, the dispatch after them.
JOBS: tuple[Job, ...] = (
    Job(
        "participant_meeting_reminders",
        remind_participants_of_meetings,
        {"hour": 18, "minute": 0},
        True,
        DAY,
        6 * 3600,
    ),
    Job(
        "specialist_meeting_reminders",
        remind_specialists_of_meetings,
        {"minute": "*/5"},
        False,
        5 * MINUTE,
        300,
    ),
    Job(
        "not_met_nudges",
        nudge_about_participants_not_met,
        {"hour": 8, "minute": 0},
        True,
        DAY,
        6 * 3600,
    ),
    Job(
        "weekly_contacts_reminders",
        remind_of_weekly_contacts,
        {"day_of_week": "thu", "hour": 12, "minute": 0},
        True,
        WEEK,
        6 * 3600,
    ),
    Job(
        "weekly_report_ready",
        announce_weekly_report,
        {"day_of_week": "mon", "hour": 8, "minute": 0},
        True,
        WEEK,
        6 * 3600,
    ),
    Job(
        "plan_step_reminders",
        remind_of_steps_due,
        {"hour": 9, "minute": 0},
        True,
        DAY,
        6 * 3600,
    ),
    Job(
        "tombstone_purge",
        purge_sync_history,
        {"hour": 3, "minute": 0},
        True,
        DAY,
        6 * 3600,
    ),
    Job(
        "history_purge",
        purge_old_history,
        {"hour": 3, "minute": 30},
        True,
        DAY,
        6 * 3600,
    ),
    Job(
        "notification_dispatch",
        dispatch_notifications,
        {"minute": "*"},
        False,
        MINUTE,
        60,
    ),
)
JOB_BY_NAME = {job.name: job for job in JOBS}
JOB_NAMES = tuple(JOB_BY_NAME)
