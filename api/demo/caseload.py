"""The demo's people and their stories: staff, participants, their consents and career
profiles, employers, job matches, and the meetings and contacts around a job."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from math import sqrt

from api.accounts.models import Team, User
from api.common.model import new_id
from api.demo.builder import Builder, Job, Person, next_workday
from api.demo.names import EMPLOYERS, FIRST_NAMES, INDUSTRIES, LAST_NAMES
from api.demo.team import (
    DELTAKER1_NAME,
    END_REASONS,
    ENROLMENT_DAYS,
    PARTICIPANT_LOGIN,
    STAFF,
    STYLES,
    TEAM_NAME,
)
from api.demo.texts import (
    CANDIDATE_OUTCOMES,
    DISCLOSURE,
    EDUCATION,
    FOLLOW_UP_OUTCOMES,
    HOURS_WISHES,
    STRENGTHS,
    WORK_HISTORY,
)
from api.employers.models import Employer
from api.employers.org_number import check_digit
from api.jobs.models import JobMatch
from api.participants.models import CareerProfile, Consent, Participant


def _org_numbers(rng: random.Random, count: int) -> list[str]:
    """Valid, distinct organisation numbers (the check digit is skipped where none exists)."""
    numbers: list[str] = []
    while len(numbers) < count:
        first_eight = f"9{rng.randrange(10_000_000):07d}"
        digit = check_digit(first_eight)
        if digit is not None and f"{first_eight}{digit}" not in numbers:
            numbers.append(f"{first_eight}{digit}")
    return numbers


def _ascii(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace(" ", "")


class Caseload(Builder):
    """The team's people, employers and jobs."""

    def seed_people(self, password_hash: str) -> None:
        self.add("teams", Team(id=self.team_id, name=TEAM_NAME))
        for email, name, role in STAFF:
            self.users[email] = self.add(
                "users",
                User(
                    id=new_id(),
                    email=email,
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    team_id=None if role == "admin" else self.team_id,
                ),
            )
        caseloads = sum(style.caseload for style in STYLES.values())
        names = list(
            zip(
                self.rng.sample(FIRST_NAMES, caseloads),
                self.rng.sample(LAST_NAMES, caseloads),
                strict=True,
            )
        )
        for email, style in STYLES.items():
            specialist = self.users[email]
            for index in range(style.caseload):
                first, last = DELTAKER1_NAME if not self.people else names.pop()
                self.seed_participant(
                    specialist,
                    first,
                    last,
                    closing=index >= style.caseload - style.closed,
                    recent=index in (1, 2),
                    pausing=email == "js2@demo.no" and index == 3,
                )
        deltaker1 = self.people[0].row
        login = self.add(
            "users",
            User(
                id=new_id(),
                email=PARTICIPANT_LOGIN,
                name=f"{deltaker1.first_name} {deltaker1.last_name}",
                role="participant",
                password_hash=password_hash,
                team_id=self.team_id,
            ),
        )
        deltaker1.user_id = login.id
        deltaker1.email = PARTICIPANT_LOGIN
        self.flush("teams")
        self.flush("users")

    def seed_participant(
        self, specialist: User, first: str, last: str, *, closing: bool, recent: bool, pausing: bool
    ) -> None:
        rng = self.rng
        if not self.people:  # deltaker1: well into the job search, with something on the go
            age = 75
        elif closing:
            age = rng.randint(200, ENROLMENT_DAYS)
        elif pausing:
            age = rng.randint(90, 200)
        elif recent:
            age = rng.randint(8, 45)
        else:
            age = max(8, int(ENROLMENT_DAYS * sqrt(rng.random())))
        enrolled_on = self.today - timedelta(days=age)
        closed_on = None
        if closing:
            closed_on = min(enrolled_on + self.days(60, 170), self.today - self.days(7, 30))
        participant = Participant(
            id=new_id(),
            team_id=self.team_id,
            specialist_id=specialist.id,
            first_name=first,
            last_name=last,
            enrolled_on=enrolled_on,
            closed_on=closed_on,
            status="closed" if closing else "paused" if pausing else "active",
            working_at_entry=bool(self.people) and rng.random() < 0.15,
            phone=f"{rng.choice('49')}{rng.randint(0, 99):02d} {rng.randint(0, 99):02d} "
            f"{rng.randint(0, 999):03d}",
            email=f"{_ascii(first)}.{_ascii(last)}@eksempel.no" if rng.random() < 0.5 else None,
        )
        industries = tuple(rng.sample(sorted(INDUSTRIES), 2))
        if not self.people:
            industries = ("Dagligvare", "Hotell og restaurant")
        person = Person(participant, specialist, industries, closed_on)
        if pausing:
            person.paused_from = self.today - self.days(20, 40)
        self.people.append(person)
        self.add("participants", participant)

    def consent(
        self, person: Person, counterpart: str, granted: bool, day: date, note: str | None = None
    ) -> datetime:
        when = min(
            self.at(day, self.rng.randrange(9 * 60, 15 * 60, 15)), self.now - timedelta(hours=1)
        )
        self.add(
            "consents",
            Consent(
                team_id=self.team_id,
                participant_id=person.row.id,
                counterpart=counterpart,
                granted=granted,
                recorded_at=when,
                recorded_by=person.specialist.id,
                note=note,
            ),
        )
        return when

    def seed_consents_and_profiles(self) -> None:
        rng = self.rng
        for index, person in enumerate(self.people):
            day = person.row.enrolled_on + self.days(0, 3)
            if index == 0 or rng.random() < 0.92:
                when = self.consent(
                    person, "employers", True, day, "Samtykke gitt i første samtale."
                )
                person.employer_consent.append((when, True))
            else:
                when = self.consent(
                    person,
                    "employers",
                    False,
                    day,
                    "Ønsker å ta kontakt med arbeidsgivere selv foreløpig.",
                )
                person.employer_consent.append((when, False))
            self.consent(person, "therapist", index == 0 or rng.random() < 0.85, day)
            self.consent(person, "nav", index == 0 or rng.random() < 0.9, day)
            age = (self.today - person.row.enrolled_on).days
            if index == 0 or (age >= 21 and rng.random() < 0.9) or rng.random() < 0.5:
                self.add("career_profiles", self.career_profile(person))
        # Two decisions changed later: withdrawal takes effect at once.
        long_standing = [
            p
            for p in self.people[1:]
            if p.closed_on is None
            and p.employer_consent[-1][1]
            and (self.today - p.row.enrolled_on).days > 90
        ]
        if not long_standing:
            return
        first, second = long_standing[0], long_standing[len(long_standing) // 2]
        when = self.consent(
            first,
            "employers",
            False,
            self.today - self.days(15, 40),
            "Trekker samtykket; vil søke jobb på egen hånd en periode.",
        )
        first.employer_consent.append((when, False))
        self.consent(
            second,
            "therapist",
            False,
            self.today - self.days(20, 60),
            "Ønsker ikke lenger at jobbspesialisten snakker med behandler.",
        )

    def career_profile(self, person: Person) -> CareerProfile:
        rng = self.rng
        wishes = ", eventuelt ".join(INDUSTRIES[i][0] for i in person.industries)
        strengths = rng.sample(STRENGTHS, 3)
        return CareerProfile(
            team_id=self.team_id,
            participant_id=person.row.id,
            job_preferences=f"Ønsker {wishes}. {rng.choice(HOURS_WISHES)}",
            strengths=f"{strengths[0][0].upper()}{strengths[0][1:]}, {strengths[1]} "
            f"og {strengths[2]}.",
            education=rng.choice(EDUCATION),
            work_history=rng.choice(WORK_HISTORY),
            disclosure_preference=rng.choice(DISCLOSURE),
        )

    def seed_employers(self) -> None:
        contacts = [
            f"{f} {s}"
            for f, s in zip(
                self.rng.sample(FIRST_NAMES, len(EMPLOYERS)),
                self.rng.sample(LAST_NAMES, len(EMPLOYERS)),
                strict=True,
            )
        ]
        numbers = _org_numbers(self.rng, len(EMPLOYERS))
        for (name, industry, address), number, person in zip(
            EMPLOYERS, numbers, contacts, strict=True
        ):
            self.employers.append(
                self.add(
                    "employers",
                    Employer(
                        id=new_id(),
                        team_id=self.team_id,
                        name=name,
                        org_number=number,
                        industry=industry,
                        address=address,
                        contact_person=person,
                        phone=f"55 {self.rng.randint(10, 99)} {self.rng.randint(10, 99)} "
                        f"{self.rng.randint(10, 99)}",
                        notes=self.rng.choice(
                            (
                                "Ring før besøk.",
                                "Daglig leder treffes best tidlig.",
                                "Har ansatt via IPS før.",
                                None,
                                None,
                            )
                        ),
                    ),
                )
            )
        self.flush("employers", "participants")

    def employer_for(self, person: Person) -> Employer:
        used = {job.row.employer_id for job in person.jobs}
        preferred = [
            e for e in self.employers if e.industry in person.industries and e.id not in used
        ]
        if preferred and self.rng.random() < 0.75:
            return self.rng.choice(preferred)
        return self.rng.choice([e for e in self.employers if e.id not in used])

    def job(self, person: Person, employer: Employer, lead_on: date, fate: str) -> Job:
        """A job match whose status is wherever its story has got to by today."""
        rng = self.rng
        industry = employer.industry or "Dagligvare"
        title, job_type = rng.choice(INDUSTRIES[industry][1])
        applied = lead_on + self.days(2, 10)
        interview = applied + self.days(5, 18)
        offer = interview + self.days(2, 7)
        start = offer + self.days(7, 21)
        stages: list[tuple[date, str]] = [(lead_on, "lead")]
        if fate != "stalled":
            stages.append((applied, "applied"))
        if fate == "rejected":
            if rng.random() < 0.5:
                stages.append((applied + self.days(7, 20), "rejected"))
            else:
                stages += [(interview, "interview"), (interview + self.days(3, 10), "rejected")]
        elif fate == "declined":
            stages += [
                (interview, "interview"),
                (offer, "offer"),
                (offer + self.days(1, 4), "declined"),
            ]
        elif fate == "hired":
            stages += [(interview, "interview"), (offer, "offer"), (start, "hired")]
            if rng.random() < 0.35:
                stages.append((start + self.days(30, 150), "ended"))
        as_of = min(self.today, person.closed_on or self.today)
        status = "lead"
        reached: dict[str, date] = {}
        for day, stage in stages:
            if day <= as_of:
                status = stage
                reached[stage] = day
        competitive = rng.random() < 0.85
        hours = rng.choice((8.0, 10.0, 12.0, 15.0, 16.0, 20.0, 20.0, 24.0, 30.0, 37.5))
        notes = None if competitive else "Lønnstilskudd fra NAV det første halvåret."
        if status == "interview" and interview > self.today - timedelta(days=3):
            notes = "Intervju avtalt."
        row = JobMatch(
            team_id=self.team_id,
            participant_id=person.row.id,
            employer_id=employer.id,
            job_title=title,
            job_type=job_type,
            status=status,
            competitive=competitive,
            started_on=reached.get("hired"),
            ended_on=reached.get("ended"),
            end_reason=rng.choice(END_REASONS) if "ended" in reached else None,
            hours_per_week=hours if status in ("offer", "hired", "ended") else None,
            notes=notes,
        )
        job = Job(
            self.add("job_matches", row),
            reached.get("interview"),
            reached.get("hired"),
            reached.get("ended"),
        )
        person.jobs.append(job)
        return job

    def seed_job_matches(self) -> None:
        rng = self.rng
        for person in self.people[1:]:
            end = min(self.today, person.closed_on or self.today) - timedelta(days=2)
            cursor = person.row.enrolled_on + self.days(10, 40)
            while cursor < end and len(person.jobs) < 4:
                recent = cursor > self.today - timedelta(days=30)
                fate = rng.choices(
                    ("hired", "rejected", "declined", "stalled"),
                    weights=(20, 50, 10, 20 if recent else 5),
                )[0]
                job = self.job(person, self.employer_for(person), cursor, fate)
                self.lead_contact(person, job, cursor)
                if job.ended_on:
                    cursor = job.ended_on + self.days(7, 30)
                elif job.started_on:
                    break
                else:
                    cursor += self.days(10, 30)
        started = [job.row for person in self.people for job in person.jobs if job.started_on]
        if started and all(row.competitive for row in started):
            # The demo shows the difference: at least one start is with a wage subsidy.
            started[len(started) // 2].competitive = False
            started[len(started) // 2].notes = "Lønnstilskudd fra NAV det første halvåret."
        self.seed_deltaker1_jobs()

    def lead_contact(self, person: Person, job: Job, day: date) -> None:
        """The specialist presents the candidate to the employer, if the participant allows."""
        day = next_workday(day)
        if day >= self.today:
            return
        employer_id = job.row.employer_id
        purpose = "Presentere kandidat"
        self.employer_contact(
            person.specialist,
            day,
            employer_id,
            person=person,
            purpose=purpose,
            outcome=self.rng.choice(CANDIDATE_OUTCOMES),
        )

    def seed_deltaker1_jobs(self) -> None:
        person = self.people[0]
        by_name = {e.name: e for e in self.employers}
        rejected = self.job(
            person,
            by_name["Fana Matsenter AS"],
            person.row.enrolled_on + timedelta(days=14),
            "rejected",
        )
        self.lead_contact(person, rejected, person.row.enrolled_on + timedelta(days=14))
        interview = self.job(
            person, by_name["Kafé Sjøboden AS"], self.today - timedelta(days=18), "stalled"
        )
        interview.row.status = "interview"
        interview.row.job_title = "Kafémedarbeider"
        interview.row.job_type = "Servering"
        interview.row.hours_per_week = 15.0
        interview.row.notes = "Intervju avtalt om to dager."
        self.lead_contact(person, interview, self.today - timedelta(days=18))
        applied = self.job(
            person, by_name["Nordnes Bakeri AS"], self.today - timedelta(days=9), "stalled"
        )
        applied.row.status = "applied"
        applied.row.job_title = "Butikkmedarbeider"
        applied.row.job_type = "Butikkarbeid"

    def seed_milestones(self) -> None:
        """Meetings and contacts that follow from each participant's story."""
        for person in self.people:
            enrolled = person.row.enrolled_on
            if enrolled >= self.first_monday:
                self.meeting(
                    person, next_workday(enrolled), "intake", minutes=self.rng.choice((60, 90))
                )
                self.meeting(person, next_workday(enrolled + self.days(6, 14)), "career_profile")
            for job in person.jobs:
                if job.interview_on and job.interview_on > self.first_monday:
                    self.meeting(
                        person,
                        next_workday(job.interview_on - self.days(2, 4)),
                        "interview_preparation",
                    )
                if job.started_on:
                    self.follow_along(person, job)

    def follow_along(self, person: Person, job: Job) -> None:
        """Within three days of the start, weekly the first month, then about monthly."""
        assert job.started_on is not None
        last = min(job.ended_on or self.horizon, person.closed_on or self.horizon, self.horizon)
        offsets = [self.rng.randint(1, 3), 7, 14, 21, 28]
        while offsets[-1] < (last - job.started_on).days:
            offsets.append(offsets[-1] + self.rng.randint(24, 35))
        for offset in offsets:
            day = next_workday(job.started_on + timedelta(days=offset))
            if self.first_monday <= day < last:
                self.meeting(person, day, "follow_along", place=self.workplace(job))
            if offset in (7, 28) or (offset > 28 and self.rng.random() < 0.4):
                contact_day = next_workday(day + self.days(0, 2))
                if self.first_monday <= contact_day < min(last, self.today + timedelta(days=1)):
                    self.employer_contact(
                        person.specialist,
                        contact_day,
                        job.row.employer_id,
                        person=person,
                        purpose="Følge opp etter jobbstart",
                        outcome=self.rng.choice(FOLLOW_UP_OUTCOMES),
                    )
