"""`flask ips ...`: administration from the command line."""

from __future__ import annotations

import signal
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from api.accounts.models import ROLES, Team, User
from api.common.model import utcnow
from api.errors import DomainError
from api.extensions import db
from api.teams.service import create_team, create_user


@click.group()
def ips() -> None:
    """Feltlogg administration."""


def _fail(error: DomainError) -> None:
    db.session.rollback()
    details = "; ".join(f"{k}: {v}" for k, v in (error.errors or {}).items())
    raise click.ClickException(f"{error.detail} {details}".strip())


@ips.command("create-team")
@click.argument("name")
@with_appcontext
def create_team_command(name: str) -> None:
    """Create a team called NAME."""
    try:
        team = create_team(name)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created team {team.name} ({team.id})")


@ips.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--team", "team_name", help="Team name (every role but admin has one).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(
    email: str, name: str, role: str, team_name: str | None, password: str
) -> None:
    """Create a user account."""
    team_id = None
    if team_name:
        team_id = db.session.scalar(select(Team.id).where(Team.name == team_name))
        if team_id is None:
            raise click.ClickException(f"No team called {team_name!r}; create it first.")
    try:
        user = create_user(
            {"email": email, "name": name, "role": role, "team_id": team_id, "password": password}
        )
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} ({user.id})")


@ips.command("purge-tombstones")
@click.option(
    "--days",
    default=180,
    show_default=True,
    type=click.IntRange(min=1),
    help="Remove tombstones older than this; devices older than that start over.",
)
@with_appcontext
def purge_tombstones_command(days: int) -> None:
    """Remove old tombstones (the sync horizon)."""
    from api.offline.setup import feed
    from sync.purge import purge_tombstones

    removed = purge_tombstones(db.session, feed, utcnow() - timedelta(days=days))
    db.session.commit()
    click.echo(f"Removed {removed} tombstones deleted more than {days} days ago.")


@ips.command("app-entities")
@with_appcontext
def app_entities_command() -> None:
    """Write the field app's entity list, record types and IndexedDB versions
    (pwa/src/entities.gen.ts; make openapi runs this)."""
    from api.offline.app_entities import write_app_entities

    written = write_app_entities()
    for path in written:
        click.echo(f"Wrote {path}")
    if not written:
        click.echo("The field app's entity files are up to date.")


@ips.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if there are users already.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Seed the demo team (logins in the README); never run outside a demo."""
    from api.demo import seed_demo

    if if_empty and db.session.scalar(select(func.count()).select_from(User)):
        click.echo("The database has users already; not seeding the demo team.")
        return
    summary = seed_demo()
    db.session.commit()
    click.echo("Seeded the demo team: " + ", ".join(f"{v} {k}" for k, v in summary.items()))


@ips.command("scheduler")
@click.option(
    "--once",
    is_flag=True,
    help="Run each job whose time has come and that has not run for it yet, then exit.",
)
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the scheduler: reminders, the weekly nudges, sending notifications, housekeeping.

    One process of its own (any number may run: each job runs once per slot). At start it
    runs each job whose last slot was missed, once.
    """
    from api.common.time import local_zone
    from api.scheduler.jobs import JOBS
    from api.scheduler.runner import build_scheduler, next_slot, run_due

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app, catch_up_at_start=not once)
    now, zone = utcnow(), local_zone()
    click.echo(f"Scheduler jobs (times in {zone.key}):")
    for job in JOBS:
        upcoming = next_slot(job, now)
        when = upcoming.astimezone(zone).isoformat(timespec="minutes") if upcoming else "never"
        click.echo(f"  {job.name}: next at {when}")
    if once:
        for result in run_due(now):
            detail = f" ({result.detail})" if result.detail else ""
            slot = result.scheduled_for.astimezone(zone).isoformat(timespec="minutes")
            click.echo(f"Ran {result.job} for {slot}: {result.outcome}{detail}")
        return
    db.session.remove()

    def stop(signum: int, frame: object) -> None:
        click.echo("Stopping the scheduler; running jobs finish first.")
        scheduler.shutdown(wait=False)

    previous = signal.signal(signal.SIGTERM, stop)
    click.echo("Scheduler started: missed runs are caught up now, then each job at its time.")
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=False)
    finally:
        signal.signal(signal.SIGTERM, previous)
