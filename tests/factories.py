"""Factories for test data: plain functions over the real models, committed at once."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from api.accounts.models import Team, User
from api.activity.models import EmployerContact, Meeting, TeamMeeting
from api.auth.service import hash_password
from api.common.model import utcnow
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.employers.org_number import check_digit
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import CareerProfile, Consent, Participant
from api.plans.models import PlanGoal, PlanStep
from api.reviews.models import WeekReview

_counter = itertools.count(1)


def valid_org_number(seed: int) -> str:
    """A valid organisation number derived from `seed`."""
    for n in itertools.count(seed * 7919 % 10_000_000):
        first = f"9{n % 10_000_000:07d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("unreachable")


class Factory:
    PASSWORD = "demo1234"
    _password_hash: str | None = None

    @classmethod
    def password_hash(cls) -> str:
        if cls._password_hash is None:
            cls._password_hash = hash_password(cls.PASSWORD)
        return cls._password_hash

    def _save(self, obj: Any) -> Any:
        db.session.add(obj)
        db.session.commit()
        return obj

    def team(self, name: str | None = None) -> Team:
        return self._save(Team(name=name or f"Team {next(_counter)}"))

    def user(self, role: str = "specialist", team: Team | None = None, **kw: Any) -> User:
        n = next(_counter)
        team_id = team.id if team else (None if role == "admin" else self.team().id)
        return self._save(
            User(
                email=kw.pop("email", f"{role}{n}@test.no"),
                name=kw.pop("name", f"{role.title()} {n}"),
                role=role,
                team_id=team_id,
                password_hash=self.password_hash(),
                **kw,
            )
        )

    def participant(self, specialist: User, **kw: Any) -> Participant:
        n = next(_counter)
        kw.setdefault("enrolled_on", date(2026, 9, 1))
        return self._save(
            Participant(
                team_id=specialist.team_id,
                specialist_id=specialist.id,
                first_name=kw.pop("first_name", f"Deltaker{n}"),
                last_name=kw.pop("last_name", "Hansen"),
                status=kw.pop("status", "active"),
                **kw,
            )
        )

    def participant_user(self, participant: Participant) -> User:
        user = self.user("participant", team=db.session.get(Team, participant.team_id))
        participant.user_id = user.id
        db.session.commit()
        return user

    def employer(self, team: Team | Any, **kw: Any) -> Employer:
        n = next(_counter)
        team_id = getattr(team, "team_id", None) or team.id
        return self._save(
            Employer(
                team_id=team_id,
                name=kw.pop("name", f"Bedrift {n} AS"),
                org_number=kw.pop("org_number", valid_org_number(n)),
                **kw,
            )
        )

    def employer_contact(self, specialist: User, employer: Employer, **kw: Any) -> EmployerContact:
        kw.setdefault("contacted_at", utcnow() - timedelta(days=1))
        return self._save(
            EmployerContact(
                team_id=specialist.team_id,
                specialist_id=specialist.id,
                employer_id=employer.id,
                mode=kw.pop("mode", "in_person"),
                **kw,
            )
        )

    def meeting(self, participant: Participant, **kw: Any) -> Meeting:
        kw.setdefault("starts_at", utcnow() - timedelta(days=1))
        return self._save(
            Meeting(
                team_id=participant.team_id,
                participant_id=participant.id,
                specialist_id=participant.specialist_id,
                duration_minutes=kw.pop("duration_minutes", 60),
                setting=kw.pop("setting", "community"),
                kind=kw.pop("kind", "job_search"),
                status=kw.pop("status", "held"),
                **kw,
            )
        )

    def team_meeting(self, specialist: User, **kw: Any) -> TeamMeeting:
        kw.setdefault("starts_at", utcnow() - timedelta(days=1))
        return self._save(
            TeamMeeting(
                team_id=specialist.team_id,
                specialist_id=specialist.id,
                duration_minutes=60,
                kind="treatment_team",
                **kw,
            )
        )

    def job_match(self, participant: Participant, employer: Employer, **kw: Any) -> JobMatch:
        return self._save(
            JobMatch(
                team_id=participant.team_id,
                participant_id=participant.id,
                employer_id=employer.id,
                job_title=kw.pop("job_title", "Butikkmedarbeider"),
                status=kw.pop("status", "lead"),
                **kw,
            )
        )

    def consent(
        self, participant: Participant, counterpart: str = "employers", granted: bool = True
    ) -> Consent:
        return self._save(
            Consent(
                team_id=participant.team_id,
                participant_id=participant.id,
                counterpart=counterpart,
                granted=granted,
                recorded_at=utcnow(),
            )
        )

    def career_profile(self, participant: Participant, **kw: Any) -> CareerProfile:
        return self._save(
            CareerProfile(team_id=participant.team_id, participant_id=participant.id, **kw)
        )

    def goal(self, participant: Participant, **kw: Any) -> PlanGoal:
        return self._save(
            PlanGoal(
                team_id=participant.team_id,
                participant_id=participant.id,
                title=kw.pop("title", "Få jobb i butikk"),
                status="active",
                **kw,
            )
        )

    def step(self, participant: Participant, **kw: Any) -> PlanStep:
        return self._save(
            PlanStep(
                team_id=participant.team_id,
                participant_id=participant.id,
                title=kw.pop("title", "Oppdatere CV"),
                owner=kw.pop("owner", "participant"),
                **kw,
            )
        )

    def week_review(self, supervisor: User, specialist: User, **kw: Any) -> WeekReview:
        return self._save(
            WeekReview(
                team_id=specialist.team_id,
                specialist_id=specialist.id,
                iso_year=kw.pop("iso_year", 2026),
                iso_week=kw.pop("iso_week", 47),
                reviewed_by=supervisor.id,
                reviewed_at=utcnow(),
                **kw,
            )
        )

    def conflict(self, user: User, **kw: Any) -> Conflict:
        return self._save(
            Conflict(
                team_id=user.team_id,
                user_id=user.id,
                entity=kw.pop("entity", "participants"),
                record_id=kw.pop("record_id", user.id),
                field=kw.pop("field", "phone"),
                kept_value="1",
                other_value="2",
                **kw,
            )
        )


def oslo(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Oslo"))
