"""The demo's building blocks: the calendar, the people the generator follows through the
months, and `Builder`, which holds the rows and logs employer contacts and meetings in free
slots."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from api.accounts.models import User
from api.activity.models import EmployerContact, Meeting
from api.common.model import new_id
from api.common.time import local_zone
from api.demo.names import COMMUNITY_PLACES, OFFICE_PLACES
from api.demo.team import FIXED_HOLIDAYS, HISTORY_DAYS, PLANNING_DAYS, SEED, STYLES
from api.demo.texts import (
    CONTACT_NOTES,
    GENERAL_OUTCOMES,
    GENERAL_PURPOSES,
    MEETING_NOTES,
    NEXT_STEPS,
)
from api.employers.models import Employer
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Participant


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_workday(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS


def next_workday(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


@dataclass
class Job:
    row: JobMatch
    interview_on: date | None
    started_on: date | None
    ended_on: date | None


@dataclass
class Person:
    """A participant as the generator follows them through the months."""

    row: Participant
    specialist: User
    industries: tuple[str, ...]
    closed_on: date | None
    paused_from: date | None = None
    # (when, granted) for consent to contact employers, in time order
    employer_consent: list[tuple[datetime, bool]] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    last_met: date | None = None
    latest_held: Meeting | None = None

    def active_on(self, day: date) -> bool:
        if day < self.row.enrolled_on:
            return False
        if self.closed_on is not None and day >= self.closed_on:
            return False
        return self.paused_from is None or day < self.paused_from

    def may_name_to_employers(self, when: datetime) -> bool:
        granted = False
        for recorded_at, value in self.employer_consent:
            if recorded_at <= when:
                granted = value
        return granted

    def working_on(self, day: date) -> Job | None:
        for job in self.jobs:
            if (
                job.started_on
                and job.started_on <= day
                and (job.ended_on is None or day < job.ended_on)
            ):
                return job
        return None


class Builder:
    """Builds the team's rows in memory, a story at a time, and flushes them in a few batches;
    the stories are the layers on top (`Caseload`, `Weeks`, `Plans`)."""

    def __init__(self, now: datetime) -> None:
        self.rng = random.Random(SEED)
        self.zone = local_zone()
        self.now = now
        self.today = now.astimezone(self.zone).date()
        self.first_monday = monday_of(self.today - timedelta(days=HISTORY_DAYS))
        self.horizon = self.today + timedelta(days=PLANNING_DAYS)
        self.team_id = new_id()
        self.rows: dict[str, list[Any]] = {}
        self.people: list[Person] = []
        self.employers: list[Employer] = []
        self.users: dict[str, User] = {}
        self.busy: dict[tuple[uuid.UUID, date], list[tuple[int, int]]] = {}
        self.week_counts: dict[tuple[str, uuid.UUID, date], int] = {}

    def add(self, kind: str, row: Any) -> Any:
        self.rows.setdefault(kind, []).append(row)
        return row

    def flush(self, *kinds: str) -> None:
        for kind in kinds:
            db.session.add_all(self.rows.get(kind, []))
        db.session.flush()

    def at(self, day: date, minute_of_day: int) -> datetime:
        return datetime(
            day.year, day.month, day.day, minute_of_day // 60, minute_of_day % 60, tzinfo=self.zone
        )

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    def book(
        self, who: uuid.UUID, day: date, minutes: int, *, past: bool | None
    ) -> datetime | None:
        """A free slot in the working day (08:00 to 16:00, 15 minutes between appointments).

        past=True: the appointment is over by now; False: it starts later than now; None: either.
        """
        taken = self.busy.setdefault((who, day), [])
        for _ in range(12):
            start = self.rng.randrange(8 * 60, 16 * 60 - minutes + 1, 15)
            end = start + minutes
            if any(start < b_end + 15 and b_start < end + 15 for b_start, b_end in taken):
                continue
            when = self.at(day, start)
            if past is True and when + timedelta(minutes=minutes) > self.now:
                continue
            if past is False and when < self.now + timedelta(minutes=30):
                continue
            taken.append((start, end))
            return when
        return None

    def reserve(self, who: uuid.UUID, day: date, start: int, minutes: int) -> datetime:
        self.busy.setdefault((who, day), []).append((start, start + minutes))
        return self.at(day, start)

    def count(self, kind: str, who: uuid.UUID, day: date) -> None:
        key = (kind, who, monday_of(day))
        self.week_counts[key] = self.week_counts.get(key, 0) + 1

    def counted(self, kind: str, who: uuid.UUID, day: date) -> int:
        return self.week_counts.get((kind, who, monday_of(day)), 0)

    def employer_contact(
        self,
        specialist: User,
        day: date,
        employer_id: uuid.UUID,
        *,
        person: Person | None = None,
        purpose: str,
        outcome: str | None,
        mode: str | None = None,
    ) -> EmployerContact | None:
        if day < self.first_monday:
            return None  # before the history the demo shows
        style = STYLES[specialist.email]
        if mode is None:
            mode = "in_person"
            if self.rng.random() > style.in_person_share:
                mode = self.rng.choices(("phone", "email", "video"), weights=(6, 3, 1))[0]
        when = self.book(specialist.id, day, 45 if mode == "in_person" else 15, past=True)
        if when is None:
            return None
        if person is not None and not person.may_name_to_employers(when):
            person = None
            purpose = self.rng.choice(GENERAL_PURPOSES)
            outcome = self.rng.choice(GENERAL_OUTCOMES)
        self.count("contacts", specialist.id, day)
        if mode == "in_person":
            self.count("visits", specialist.id, day)
        return self.add(
            "employer_contacts",
            EmployerContact(
                team_id=self.team_id,
                employer_id=employer_id,
                specialist_id=specialist.id,
                participant_id=person.row.id if person else None,
                contacted_at=when,
                # Written up a couple of hours later, as specialists in the field do.
                logged_at=min(when + timedelta(hours=2), self.now),
                mode=mode,
                purpose=purpose,
                outcome=outcome,
                notes=self.rng.choice(CONTACT_NOTES[mode]),
            ),
        )

    def meeting(
        self,
        person: Person,
        day: date,
        kind: str,
        *,
        minutes: int | None = None,
        place: str | None = None,
    ) -> Meeting | None:
        rng = self.rng
        if (
            not self.first_monday <= day <= self.horizon
            or not person.active_on(day)
            or not is_workday(day)
        ):
            return None
        specialist = person.specialist
        minutes = minutes or rng.choice((30, 45, 60, 60, 60, 75, 90, 120))
        when = self.book(specialist.id, day, minutes, past=None)
        if when is None:
            return None
        community = rng.random() < STYLES[specialist.email].community_share
        if kind in ("three_party", "intake"):
            community = rng.random() < 0.3
        if place is not None:
            community = place not in OFFICE_PLACES
        if place is None:
            place = rng.choice(COMMUNITY_PLACES if community else OFFICE_PLACES)
        held = when + timedelta(minutes=minutes) <= self.now
        status = "planned"
        if held:
            status = rng.choices(("held", "cancelled", "no_show"), weights=(94, 4, 2))[0]
        meeting = Meeting(
            id=new_id(),
            team_id=self.team_id,
            participant_id=person.row.id,
            specialist_id=specialist.id,
            starts_at=when,
            # A meeting is booked ahead or written up when it is over.
            logged_at=min(when + timedelta(minutes=minutes), self.now),
            duration_minutes=minutes,
            setting="community" if community else "office",
            place=place,
            kind=kind,
            status=status,
            agreed_next_steps=rng.choice(NEXT_STEPS) if status == "held" else None,
            notes=rng.choice(MEETING_NOTES[kind]) if status == "held" else None,
        )
        self.count("meetings", specialist.id, day)
        if status == "held":
            person.last_met = day
            if person.latest_held is None or person.latest_held.starts_at < when:
                person.latest_held = meeting
        return self.add("meetings", meeting)

    def workplace(self, job: Job) -> str:
        employer = next(e for e in self.employers if e.id == job.row.employer_id)
        return f"Arbeidsplassen ({employer.name})"

    def summary(self) -> dict[str, int]:
        order = (
            "teams",
            "users",
            "participants",
            "consents",
            "career_profiles",
            "employers",
            "employer_contacts",
            "meetings",
            "team_meetings",
            "job_matches",
            "plan_goals",
            "plan_steps",
            "week_reviews",
        )
        return {kind: len(self.rows.get(kind, [])) for kind in order}
