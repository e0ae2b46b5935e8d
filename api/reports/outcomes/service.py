"""Outcomes per quarter (domain.md, "Numbers the product reports on"): employment rate, job
starts, days from entry to first job, 90-day job retention, and jobs ended and why.

A job is a job match with a start date. Participants (and their jobs) count for the specialist
they have now. Deleted participants and jobs count for nothing.
"""

from __future__ import annotations

import re
import statistics
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true

from api.extensions import db
from api.jobs.models import END_REASONS, JobMatch
from api.participants.models import Participant

QUARTER_PATTERN = re.compile(r"^(\d{4})-Q(\d)$")
# caseload: everyone on the active caseload (US); out_of_work_at_entry: only those who were not
# working when they entered (UK).
DENOMINATORS = ("caseload", "out_of_work_at_entry")
# US learning-collaborative benchmarks for the employment rate.
BENCHMARKS = {"minimal": 0.31, "average": 0.41, "excellent": 0.50}
RETENTION_DAYS = 90
# Jobs ended without a reason recorded.
UNKNOWN_REASON = "unknown"
REASONS = (*END_REASONS, UNKNOWN_REASON)


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2026-Q3'; ValueError with what to fix otherwise."""
        match = QUARTER_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not a quarter; write it like 2026-Q3.")
        year, quarter = int(match[1]), int(match[2])
        if not 1 <= quarter <= 4:
            raise ValueError(f"A year has quarters Q1 to Q4; write it like {year}-Q3.")
        if not 1900 <= year <= 2999:
            raise ValueError("Pick a year from 1900 to 2999, e.g. 2026-Q3.")
        return cls(year, quarter)

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 3 * self.quarter, 31 if self.quarter in (1, 4) else 30)

    def shifted(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.quarter - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)


def last_completed_quarter(today: date) -> Quarter:
    return Quarter.of(today).shifted(-1)


def median(values: Iterable[float]) -> float | None:
    """The median; None for no values."""
    values = list(values)
    return statistics.median(values) if values else None


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def retention_day(started_on: date) -> date:
    """The 90th day of a job: the day it must last to count as retained."""
    return started_on + timedelta(days=RETENTION_DAYS)


def retained(started_on: date, ended_on: date | None) -> bool:
    """Whether a job lasted to its 90th day (a job ending on that day did)."""
    return ended_on is None or ended_on >= retention_day(started_on)


def days_to_first_job(enrolled_on: date, first_started_on: date) -> int | None:
    """Days from entry to the first job; None for a job from before entry (not one found in
    the programme)."""
    days = (first_started_on - enrolled_on).days
    return days if days >= 0 else None


@dataclass
class OutcomeCounts:
    active_caseload: int = 0
    denominator: int = 0
    employed: int = 0
    job_starts: int = 0
    competitive_job_starts: int = 0
    days_to_first_job: list[int] = field(default_factory=list)
    retention_cohort: int = 0
    retained_90_days: int = 0
    ended_by_reason: Counter[str] = field(default_factory=Counter)

    def add(self, other: OutcomeCounts) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_row(self) -> dict[str, Any]:
        return {
            "active_caseload": self.active_caseload,
            "denominator": self.denominator,
            "employed": self.employed,
            "employment_rate": rate(self.employed, self.denominator),
            "job_starts": self.job_starts,
            "competitive_job_starts": self.competitive_job_starts,
            "first_job_starts": len(self.days_to_first_job),
            "median_days_to_first_job": median(self.days_to_first_job),
            "retention_cohort": self.retention_cohort,
            "retained_90_days": self.retained_90_days,
            "retention_90_days": rate(self.retained_90_days, self.retention_cohort),
            "jobs_ended": sum(self.ended_by_reason.values()),
            "ended_by_reason": {reason: self.ended_by_reason[reason] for reason in REASONS},
        }


def _between(column: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def outcomes(
    specialists: Sequence[tuple[uuid.UUID, str]],
    quarter: Quarter,
    denominator: str,
    today: date,
) -> dict[str, Any]:
    """Per specialist and for the team. A quarter still under way counts up to `today`."""
    first, last = quarter.first_day, min(quarter.last_day, today)
    if last < first:
        raise ValueError(f"{quarter} has not begun.")
    ids = [specialist_id for specialist_id, _ in specialists]
    counts = {specialist_id: OutcomeCounts() for specialist_id in ids}
    participants = and_(Participant.specialist_id.in_(ids), Participant.deleted_at.is_(None))
    jobs = and_(JobMatch.deleted_at.is_(None), JobMatch.started_on.is_not(None))

    # Active caseload, denominator, employed: who was in the programme at some point of the
    # quarter, and who of them held a competitive job at some point of it.
    held_competitive_job = (
        select(JobMatch.id)
        .where(
            JobMatch.participant_id == Participant.id,
            jobs,
            JobMatch.competitive.is_(True),
            JobMatch.started_on <= last,
            or_(JobMatch.ended_on.is_(None), JobMatch.ended_on >= first),
        )
        .exists()
    )
    counted = (
        Participant.working_at_entry.is_(False) if denominator == "out_of_work_at_entry" else true()
    )
    for specialist_id, active, in_denominator, employed in db.session.execute(
        select(
            Participant.specialist_id,
            func.count(),
            func.count().filter(counted),
            func.count().filter(and_(counted, held_competitive_job)),
        )
        .where(
            participants,
            Participant.enrolled_on <= last,
            or_(Participant.closed_on.is_(None), Participant.closed_on >= first),
        )
        .group_by(Participant.specialist_id)
    ):
        row = counts[specialist_id]
        row.active_caseload, row.denominator, row.employed = active, in_denominator, employed

    # Job starts in the quarter.
    for specialist_id, starts, competitive_starts in db.session.execute(
        select(
            Participant.specialist_id,
            func.count(),
            func.count().filter(JobMatch.competitive.is_(True)),
        )
        .join(Participant, JobMatch.participant_id == Participant.id)
        .where(participants, jobs, _between(JobMatch.started_on, first, last))
        .group_by(Participant.specialist_id)
    ):
        counts[specialist_id].job_starts = starts
        counts[specialist_id].competitive_job_starts = competitive_starts

    # First jobs: participants whose earliest job start falls in the quarter.
    first_started_on = func.min(JobMatch.started_on)
    for specialist_id, enrolled_on, started_on in db.session.execute(
        select(Participant.specialist_id, Participant.enrolled_on, first_started_on)
        .join(Participant, JobMatch.participant_id == Participant.id)
        .where(participants, jobs)
        .group_by(Participant.id, Participant.specialist_id, Participant.enrolled_on)
        .having(_between(first_started_on, first, last))
    ):
        assert started_on is not None  # only jobs with a start
        days = days_to_first_job(enrolled_on, started_on)
        if days is not None:
            counts[specialist_id].days_to_first_job.append(days)

    # 90-day retention: jobs whose 90th day falls in the quarter.
    for specialist_id, started_on, ended_on in db.session.execute(
        select(Participant.specialist_id, JobMatch.started_on, JobMatch.ended_on)
        .join(Participant, JobMatch.participant_id == Participant.id)
        .where(
            participants,
            jobs,
            _between(
                JobMatch.started_on,
                first - timedelta(days=RETENTION_DAYS),
                last - timedelta(days=RETENTION_DAYS),
            ),
        )
    ):
        assert started_on is not None  # only jobs with a start
        row = counts[specialist_id]
        row.retention_cohort += 1
        row.retained_90_days += retained(started_on, ended_on)

    # Jobs ended in the quarter, by reason.
    for specialist_id, reason, ended in db.session.execute(
        select(Participant.specialist_id, JobMatch.end_reason, func.count())
        .join(Participant, JobMatch.participant_id == Participant.id)
        .where(participants, jobs, _between(JobMatch.ended_on, first, last))
        .group_by(Participant.specialist_id, JobMatch.end_reason)
    ):
        counts[specialist_id].ended_by_reason[reason or UNKNOWN_REASON] += ended

    team = OutcomeCounts()
    rows = []
    for specialist_id, name in specialists:
        team.add(counts[specialist_id])
        rows.append(
            {"specialist_id": specialist_id, "name": name, **counts[specialist_id].as_row()}
        )
    return {
        "quarter": str(quarter),
        "from": first,
        "to": last,
        "denominator": denominator,
        "benchmarks": BENCHMARKS,
        "specialists": rows,
        "team": team.as_row(),
    }
