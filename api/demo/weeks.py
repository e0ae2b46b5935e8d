"""The demo's weeks: each specialist's meetings and employer contacts, the team meetings and
the supervisor's reviews."""

from __future__ import annotations

from datetime import date, timedelta

from api.accounts.models import User
from api.activity.models import TeamMeeting
from api.demo.builder import Person, is_workday, next_workday
from api.demo.caseload import Caseload
from api.demo.team import QUIET_WEEKS, STYLES
from api.demo.texts import (
    CANDIDATE_OUTCOMES,
    GENERAL_OUTCOMES,
    GENERAL_PURPOSES,
    REVIEW_COMMENTS,
    REVIEW_FEW_VISITS,
    REVIEW_MANY_VISITS,
    TEAM_MEETING_NOTES,
)
from api.reviews.models import WeekReview


class Weeks(Caseload):
    """Week by week: the work around the stories, team meetings and reviews."""

    def seed_weeks(self) -> None:
        supervisor = self.users["leder@demo.no"]
        monday = self.first_monday
        while monday <= self.horizon:
            quiet = monday.isocalendar()[1] in QUIET_WEEKS
            days = [monday + timedelta(days=n) for n in range(5)]
            workdays = [d for d in days if is_workday(d) and d <= self.horizon]
            for email in STYLES:
                specialist = self.users[email]
                if workdays:
                    self.fill_meetings(specialist, workdays, quiet)
                    self.fill_contacts(specialist, [d for d in workdays if d <= self.today], quiet)
                self.week_review(supervisor, specialist, monday, quiet)
            monday += timedelta(days=7)
        # Whatever the dice said, the last working day shows the job being done.
        last_workday = self.today - timedelta(days=1)
        while not is_workday(last_workday):
            last_workday -= timedelta(days=1)
        for email in STYLES:
            specialist = self.users[email]
            done = any(
                c.specialist_id == specialist.id
                and c.mode == "in_person"
                and c.contacted_at.astimezone(self.zone).date() == last_workday
                for c in self.rows.get("employer_contacts", [])
            )
            if not done:
                self.general_contact(specialist, last_workday, mode="in_person")

    def meeting_kind(self, person: Person, day: date) -> tuple[str, str | None]:
        job = person.working_on(day)
        if job is not None:
            kind = self.rng.choices(
                ("follow_along", "job_search", "benefits_counselling", "three_party", "other"),
                weights=(40, 20, 20, 12, 8),
            )[0]
            return kind, self.workplace(job) if kind == "follow_along" else None
        early = (day - person.row.enrolled_on).days < 60
        kind = self.rng.choices(
            ("job_search", "career_profile", "benefits_counselling", "three_party", "other"),
            weights=(70, 12 if early else 2, 8, 6, 4),
        )[0]
        return kind, None

    def fill_meetings(self, specialist: User, workdays: list[date], quiet: bool) -> None:
        rng = self.rng
        target = rng.randint(2, 5) if quiet else rng.randint(6, 12)
        missing = target - self.counted("meetings", specialist.id, workdays[0])
        for _ in range(max(0, missing)):
            day = rng.choice(workdays)
            if day > self.today and rng.random() < 0.4:
                continue  # not everything next week is booked yet
            caseload = [p for p in self.people if p.specialist is specialist and p.active_on(day)]
            if not caseload:
                continue
            # Whoever has waited longest is likeliest next; people in work need less.
            weights = [
                (1 + min(21, max(0, (day - (p.last_met or p.row.enrolled_on)).days)))
                * (0.5 if p.working_on(day) else 1.0)
                for p in caseload
            ]
            person = rng.choices(caseload, weights=weights)[0]
            kind, place = self.meeting_kind(person, day)
            self.meeting(person, day, kind, place=place)

    def fill_contacts(self, specialist: User, workdays: list[date], quiet: bool) -> None:
        if not workdays:
            return
        low, high = STYLES[specialist.email].contacts_per_week
        target = self.rng.randint(1, 3) if quiet else self.rng.randint(low, high)
        for _ in range(3 * target):  # a full day means trying another one
            if self.counted("contacts", specialist.id, workdays[0]) >= target:
                break
            self.general_contact(specialist, self.rng.choice(workdays))

    def general_contact(self, specialist: User, day: date, mode: str | None = None) -> None:
        """Job development; now and then on behalf of a participant who allows it."""
        rng = self.rng
        candidates = [
            p
            for p in self.people
            if p.specialist is specialist and p.active_on(day) and p.working_on(day) is None
        ]
        if candidates and rng.random() < 0.25:
            person = rng.choice(candidates)
            employer = self.employer_for(person)
            self.employer_contact(
                specialist,
                day,
                employer.id,
                person=person,
                mode=mode,
                purpose="Presentere kandidat",
                outcome=rng.choice(CANDIDATE_OUTCOMES),
            )
        else:
            self.employer_contact(
                specialist,
                day,
                rng.choice(self.employers).id,
                mode=mode,
                purpose=rng.choice(GENERAL_PURPOSES),
                outcome=rng.choice(GENERAL_OUTCOMES),
            )

    def week_review(self, supervisor: User, specialist: User, monday: date, quiet: bool) -> None:
        """The supervisor looks at last week's log early the next week, most weeks."""
        rng = self.rng
        next_monday = monday + timedelta(days=7)
        if rng.random() < (0.3 if quiet else 0.1):
            return
        reviewed_at = self.at(next_monday + self.days(0, 2), rng.randrange(8 * 60, 15 * 60, 5))
        if reviewed_at > self.now:
            return
        year, week, _ = monday.isocalendar()
        visits = self.counted("visits", specialist.id, monday)
        comment = rng.choice(REVIEW_COMMENTS)
        if visits >= 6 and rng.random() < 0.5:
            comment = REVIEW_MANY_VISITS
        elif visits < 4 and not quiet:
            comment = REVIEW_FEW_VISITS
        self.add(
            "week_reviews",
            WeekReview(
                team_id=self.team_id,
                specialist_id=specialist.id,
                iso_year=year,
                iso_week=week,
                reviewed_by=supervisor.id,
                reviewed_at=reviewed_at,
                comment=comment,
            ),
        )

    def seed_team_meetings(self) -> None:
        """The weekly treatment-team meeting, and NAV once a month; booked before anything else."""
        monday = self.first_monday
        while monday <= self.today:
            quiet = monday.isocalendar()[1] in QUIET_WEEKS
            for email in STYLES:
                self.team_meetings(self.users[email], monday, quiet)
            monday += timedelta(days=7)

    def team_meetings(self, specialist: User, monday: date, quiet: bool) -> None:
        tuesday = next_workday(monday + timedelta(days=1))
        if quiet and self.rng.random() < 0.5:
            return
        when = self.reserve(specialist.id, tuesday, 9 * 60, 90)
        if when + timedelta(minutes=90) <= self.now:
            self.add(
                "team_meetings",
                TeamMeeting(
                    team_id=self.team_id,
                    specialist_id=specialist.id,
                    starts_at=when,
                    duration_minutes=90,
                    kind="treatment_team",
                    notes=self.rng.choice(TEAM_MEETING_NOTES),
                ),
            )
        thursday = monday + timedelta(days=3)
        if thursday.day <= 7 and is_workday(thursday):  # first Thursday of the month: NAV
            when = self.reserve(specialist.id, thursday, 13 * 60, 60)
            if when + timedelta(minutes=60) <= self.now:
                self.add(
                    "team_meetings",
                    TeamMeeting(
                        team_id=self.team_id,
                        specialist_id=specialist.id,
                        starts_at=when,
                        duration_minutes=60,
                        kind="nav",
                        notes="Samarbeidsmøte med NAV-veilederne om felles deltakere.",
                    ),
                )

    def seed_deltaker1_meetings(self) -> None:
        person = self.people[0]
        tomorrow = next_workday(self.today + timedelta(days=1))
        self.meeting(
            person, tomorrow, "interview_preparation", minutes=60, place="Kafé på Torgallmenningen"
        )
        self.meeting(
            person,
            next_workday(tomorrow + timedelta(days=4)),
            "job_search",
            minutes=90,
            place="Biblioteket i Strømgaten",
        )
