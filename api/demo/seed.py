"""Seeding the demo team into the database: `flask ips seed-demo`."""

from __future__ import annotations

from datetime import datetime

import click
from sqlalchemy import select

from api.accounts.models import Team, User
from api.auth.service import hash_password
from api.common.model import utcnow
from api.demo.plans import Plans
from api.demo.team import DEMO_EMAILS, PASSWORD, TEAM_NAME
from api.extensions import db


class DemoTeam(Plans):
    """The whole team, built in layers: `Builder` (rows, free slots, contacts and meetings),
    `Caseload` (people, employers, jobs), `Weeks` (the weekly work) and `Plans`."""


class DemoAlreadySeeded(click.ClickException):
    """The demo logins exist already; seeding again would duplicate the team."""


def seed_demo(now: datetime | None = None) -> dict[str, int]:
    """Seed the demo team into the session and flush; the caller commits.

    Returns how many rows of each kind were added. `now` (timezone-aware) fixes "today" for
    tests; it defaults to the current time.
    """
    taken = db.session.scalars(select(User.email).where(User.email.in_(DEMO_EMAILS))).all()
    if taken or db.session.scalar(select(Team.id).where(Team.name == TEAM_NAME)) is not None:
        raise DemoAlreadySeeded(
            f"The demo team is there already ({', '.join(sorted(taken)) or TEAM_NAME}); "
            "not seeding it twice. Use an empty database for the demo."
        )
    demo = DemoTeam(now or utcnow())
    demo.seed_people(hash_password(PASSWORD))
    demo.seed_employers()
    demo.seed_consents_and_profiles()
    demo.seed_job_matches()
    demo.flush("consents", "career_profiles", "job_matches")
    demo.seed_team_meetings()
    demo.seed_deltaker1_meetings()
    demo.seed_milestones()
    demo.seed_weeks()
    demo.flush("meetings", "employer_contacts", "team_meetings", "week_reviews")
    demo.seed_plans()
    demo.flush("plan_goals", "plan_steps")
    return demo.summary()
