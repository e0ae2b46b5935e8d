"""Running the jobs exactly once, however many scheduler processes there are.

A run first claims its slot: it inserts (job, scheduled time) into job_runs in a transaction of
its own, and a process whose insert finds the slot taken skips the run. At start, each job whose
last slot has no run yet is run once for that slot (missed slots are coalesced into one). Then
APScheduler's BlockingScheduler fires each job at its times; a fired job works out its slot from
the clock, so every process names the same slot for the same firing.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
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


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


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


def claim(job: Job, slot: datetime) -> uuid.UUID | None:
    """Insert the run of `job` for `slot`, committed at once: its id, or None when the slot
    is taken."""
    run_id = new_id()
    with writer_transactions():
        claimed = insert_ignoring_conflicts(
            JobRun,
            {
                "id": run_id,
                "job": job.name,
                "scheduled_for": slot,
                "started_at": utcnow(),
                "outcome": "running",
                "runner": runner_name(),
            },
            ["job", "scheduled_for"],
        )
        db.session.commit()
    return run_id if claimed else None


def run_job(job: Job, slot: datetime) -> RunResult:
    """Run `job` for `slot` if this process claims the slot. The job gets the slot's time as
    `now`: a run caught up late does the work of its slot, the same in every process."""
    slot = slot.astimezone(UTC)
    db.session.rollback()
    run_id = claim(job, slot)
    if run_id is None:
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
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(outcome=outcome, finished_at=utcnow(), detail=detail[:DETAIL_MAX_LENGTH])
        )
    log.info("Job %s for %s: %s, %s", job.name, slot.isoformat(), outcome, detail)
    return RunResult(job.name, slot, outcome, detail)


def run_due(now: datetime, jobs: Iterable[Job] = JOBS) -> list[RunResult]:
    """Run each job whose latest slot at `now` has no run yet, once, for that slot."""
    now = now.astimezone(UTC)
    results = []
    for job in jobs:
        slot = last_slot(job, now)
        if slot is None:
            continue
        done = db.session.scalar(
            select(JobRun.id).where(JobRun.job == job.name, JobRun.scheduled_for == slot)
        )
        db.session.commit()
        if done is None:
            results.append(run_job(job, slot))
    return results


def run_scheduled(app: Flask, name: str) -> None:
    """What APScheduler calls at a job's time, in one of its worker threads."""
    with app.app_context():
        job = JOB_BY_NAME[name]
        slot = last_slot(job, utcnow())
        if slot is not None:
            run_job(job, slot)


def catch_up(app: Flask) -> None:
    """Run each job whose last slot was missed (while no scheduler ran), once."""
    with app.app_context():
        results = run_due(utcnow())
        log.info("Caught up %d missed job runs", sum(r.outcome != "taken" for r in results))


def build_scheduler(app: Flask, catch_up_at_start: bool = True) -> BlockingScheduler:
    """APScheduler with every job registered: coalesced (a backlog of firings is one run), and
    started late within each job's grace time; first of all, the missed runs are caught up."""
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
