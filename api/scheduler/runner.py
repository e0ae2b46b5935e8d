"""Running the jobs exactly once, however many scheduler processes there are.

A run first claims its slot: it inserts (job, scheduled time) into job_runs in a transaction of
its own, and a process whose insert finds the slot taken skips the run. At start, each job whose
last slot has no run yet is run once for that slot (missed slots are coalesced into one). Then
APScheduler's BlockingScheduler fires each job at its times; a fired job works out its slot from
the clock, so every process names the same slot for the same firing.

A process killed during a run leaves its slot "running". Once that run is older than
SCHEDULER_RUN_TIMEOUT_MINUTES, another claim of the slot takes it over: one UPDATE that only
matches while the row is still that stale run, so of several claimants exactly one wins. Every
few minutes each scheduler looks for such runs among the jobs' last slots (`take_over_stale`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from sqlalchemy import select, update

from api.common.model import new_id, utcnow
from api.common.time import local_zone
from api.extensions import db
from api.scheduler.jobs import JOB_BY_NAME, JOBS, Job
from api.scheduler.models import DETAIL_MAX_LENGTH, JobRun
from api.scheduler.notifications import insert_ignoring_conflicts, writer_transactions

log = logging.getLogger(__name__)

# Cron triggers start counting from here (by default APScheduler starts from its own clock,
# which would hide the slots of a test's frozen past).
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
WORKERS = 4
MAX_STEPS = 10_000
# How often each scheduler looks for runs that outlived the timeout.
TAKE_OVER_EVERY = timedelta(minutes=5)

# The (job, slot) runs this process has under way. The timeout is for processes that died: a
# run still going here, however long, is not taken over by this process's own look for stale
# runs (another process may, once it is past the timeout).
_in_flight: Counter[tuple[str, datetime]] = Counter()
_in_flight_lock = threading.Lock()


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run_timeout() -> timedelta:
    """How long a run may stay "running" before another process may take its slot over."""
    minutes = int(current_app.config["SCHEDULER_RUN_TIMEOUT_MINUTES"])
    if minutes < 1:
        raise RuntimeError(f"SCHEDULER_RUN_TIMEOUT_MINUTES must be at least 1, got {minutes}")
    return timedelta(minutes=minutes)


def trigger_of(job: Job) -> CronTrigger:
    zone = local_zone() if job.local_time else ZoneInfo("UTC")
    return CronTrigger(timezone=zone, start_date=EPOCH, **job.schedule)


def slots_between(job: Job, first: datetime, last: datetime) -> list[datetime]:
    """The job's slots from `first` to `last`, both included, in UTC."""
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    trigger, moment = trigger_of(job), first
    slots: list[datetime] = []
    for _ in range(MAX_STEPS):
        fire = trigger.get_next_fire_time(None, moment)
        if fire is None or fire > last:
            return slots
        slots.append(fire.astimezone(UTC))
        moment = fire + timedelta(microseconds=1)
    raise RuntimeError(f"{job.name}: too many slots between {first} and {last}")


def last_slot(job: Job, now: datetime) -> datetime | None:
    """The job's latest slot at or before `now`."""
    now = now.astimezone(UTC)
    slots = slots_between(job, now - job.lookback, now)
    return slots[-1] if slots else None


def next_slot(job: Job, now: datetime) -> datetime | None:
    fire = trigger_of(job).get_next_fire_time(None, now)
    return fire.astimezone(UTC) if fire is not None else None


@dataclass(frozen=True)
class RunResult:
    job: str
    scheduled_for: datetime
    outcome: str  # ok, failed; or "taken" when another process had the slot
    detail: str | None


@dataclass(frozen=True)
class Claim:
    run_id: uuid.UUID
    taken_over_from: str | None  # the runner of a run that outlived the timeout, if any


def claim(job: Job, slot: datetime) -> Claim | None:
    """Insert the run of `job` for `slot`, or take over a run of it that outlived the timeout;
    committed at once. None when another process has the slot."""
    run_id, started = new_id(), utcnow()
    runs = JobRun.__table__
    with writer_transactions():
        claimed = insert_ignoring_conflicts(
            JobRun,
            {
                "id": run_id,
                "job": job.name,
                "scheduled_for": slot,
                "started_at": started,
                "outcome": "running",
                "runner": runner_name(),
            },
            ["job", "scheduled_for"],
        )
        if claimed:
            return Claim(run_id, None)
        cutoff = started - run_timeout()
        stale = db.session.execute(
            select(runs.c.id, runs.c.runner, runs.c.started_at).where(
                runs.c.job == job.name,
                runs.c.scheduled_for == slot,
                runs.c.outcome == "running",
                runs.c.started_at < cutoff,
            )
        ).first()
        if stale is None:
            return None
        # The row gets a new id, which is the claim: of two claimants the second's UPDATE finds
        # no row with the old id once the first has committed (on PostgreSQL it waits for the
        # first, then looks again), and a process that was only slow, not dead, finds its
        # run's id gone when it comes to record the outcome.
        taken: Any = db.session.execute(
            update(runs)
            .where(runs.c.id == stale.id, runs.c.outcome == "running", runs.c.started_at < cutoff)
            .values(id=run_id, started_at=started, runner=runner_name())
        )
        if taken.rowcount != 1:
            return None
    log.warning(
        "Job %s for %s: took over the run that %s started at %s and never finished",
        job.name,
        slot.isoformat(),
        stale.runner,
        stale.started_at.isoformat(),
    )
    return Claim(run_id, stale.runner)


def run_job(job: Job, slot: datetime) -> RunResult:
    """Run `job` for `slot` if this process claims the slot. The job gets the slot's time as
    `now`: a run caught up late does the work of its slot, the same in every process."""
    slot = slot.astimezone(UTC)
    key = (job.name, slot)
    with _in_flight_lock:
        _in_flight[key] += 1
    try:
        return _claim_and_run(job, slot)
    finally:
        with _in_flight_lock:
            _in_flight[key] -= 1
            if not _in_flight[key]:
                del _in_flight[key]


def _claim_and_run(job: Job, slot: datetime) -> RunResult:
    db.session.rollback()
    claimed = claim(job, slot)
    if claimed is None:
        log.info("Job %s for %s: another process has it", job.name, slot.isoformat())
        return RunResult(job.name, slot, "taken", None)
    with writer_transactions():
        try:
            detail, outcome = job.run(slot), "ok"
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            # The traceback goes to the log; the run keeps only the kind of error, since an
            # exception's text may quote a row (names included).
            log.exception("Job %s for %s failed", job.name, slot.isoformat())
            detail, outcome = f"{type(error).__name__} (see the scheduler's log)", "failed"
        if claimed.taken_over_from is not None:
            detail = f"took over from {claimed.taken_over_from}: {detail}"
        recorded: Any = db.session.execute(
            update(JobRun.__table__)
            .where(JobRun.__table__.c.id == claimed.run_id)
            .values(outcome=outcome, finished_at=utcnow(), detail=detail[:DETAIL_MAX_LENGTH])
        )
    if recorded.rowcount != 1:
        log.warning(
            "Job %s for %s ran past SCHEDULER_RUN_TIMEOUT_MINUTES and another process took its "
            "slot over; this run's outcome (%s) is not recorded",
            job.name,
            slot.isoformat(),
            outcome,
        )
    log.info("Job %s for %s: %s, %s", job.name, slot.isoformat(), outcome, detail)
    return RunResult(job.name, slot, outcome, detail)


def run_due(
    now: datetime, jobs: Iterable[Job] = JOBS, *, stale_only: bool = False
) -> list[RunResult]:
    """Run each job whose latest slot at `now` has no run yet, or has one that outlived the
    timeout (only those with `stale_only`), once, for that slot."""
    now = now.astimezone(UTC)
    cutoff = utcnow() - run_timeout()
    results = []
    for job in jobs:
        slot = last_slot(job, now)
        if slot is None:
            continue
        run = db.session.execute(
            select(JobRun.outcome, JobRun.started_at).where(
                JobRun.job == job.name, JobRun.scheduled_for == slot
            )
        ).first()
        db.session.commit()
        if run is None:
            due = not stale_only
        else:
            due = run.outcome == "running" and run.started_at < cutoff
            with _in_flight_lock:
                due = due and not _in_flight[(job.name, slot)]
        if due:
            results.append(run_job(job, slot))
    return results


def run_scheduled(app: Flask, name: str) -> None:
    """What APScheduler calls at a job's time, in one of its worker threads."""
    with app.app_context():
        job = JOB_BY_NAME[name]
        slot = last_slot(job, utcnow())
        if slot is not None:
            run_job(job, slot)


def take_over_stale(app: Flask) -> None:
    """Run the last slot of each job whose run there outlived the timeout (its process died)."""
    with app.app_context():
        for result in run_due(utcnow(), stale_only=True):
            log.info("Took over %s for %s: %s", result.job, result.scheduled_for, result.outcome)


def catch_up(app: Flask) -> None:
    """Run each job whose last slot was missed (while no scheduler ran), once."""
    with app.app_context():
        results = run_due(utcnow())
        log.info("Caught up %d missed job runs", sum(r.outcome != "taken" for r in results))


def build_scheduler(app: Flask, catch_up_at_start: bool = True) -> BlockingScheduler:
    """APScheduler with every job registered: coalesced (a backlog of firings is one run), and
    started late within each job's grace time; first of all, the missed runs are caught up.
    Every few minutes, runs left "running" by a process that died are taken over."""
    with app.app_context():
        run_timeout()  # a timeout that cannot work stops the scheduler here, not at 03:00
    scheduler = BlockingScheduler(
        timezone=local_zone(),
        executors={"default": ThreadPoolExecutor(WORKERS)},
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    if catch_up_at_start:
        # A one-off run as the scheduler starts: no slot falls between it and the first firing.
        scheduler.add_job(
            catch_up, "date", args=(app,), id="catch_up", name="catch_up", misfire_grace_time=3600
        )
    scheduler.add_job(
        take_over_stale,
        "interval",
        seconds=TAKE_OVER_EVERY.total_seconds(),
        args=(app,),
        id="take_over",
        name="take_over",
        coalesce=True,
        max_instances=1,
    )
    for job in JOBS:
        scheduler.add_job(
            run_scheduled,
            trigger=trigger_of(job),
            args=(app, job.name),
            id=job.name,
            name=job.name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.grace_seconds,
        )
    return scheduler
