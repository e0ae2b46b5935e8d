"""The demo team: logins that work, believable history up to today, and nothing about health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import String, Text, func, select

from api.accounts.models import User
from api.activity.models import EmployerContact, Meeting
from api.common.model import utcnow
from api.demo import PASSWORD, DemoAlreadySeeded, seed_demo
from api.employers.models import Employer
from api.employers.org_number import is_valid_org_number
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Consent, Participant
from api.plans.models import PlanStep

HEALTH_WORDS = (
    "diagnos",
    "medisin",
    "medikament",
    "schizofren",
    "depresjon",
    "psykose",
    "bipolar",
    "symptom",
    "innleggelse",
    "lidelse",
    "angst",
)


@pytest.fixture
def seeded(app):
    with app.app_context():
        summary = seed_demo()
        db.session.commit()
    return summary


def sign_in(client, email):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response.json, {"Authorization": f"Bearer {response.json['access_token']}"}


def test_seeding_creates_the_five_demo_logins_with_their_roles(app, seeded):
    with app.app_context():
        roles = dict(db.session.execute(select(User.email, User.role)).all())
        admin = db.session.scalar(select(User).where(User.email == "admin@demo.no"))
        assert admin.team_id is None
    assert roles == {
        "leder@demo.no": "supervisor",
        "js1@demo.no": "specialist",
        "js2@demo.no": "specialist",
        "deltaker1@demo.no": "participant",
        "admin@demo.no": "admin",
    }
    assert seeded["users"] == 5 and seeded["teams"] == 1


def test_a_demo_specialist_signs_in_and_sees_only_their_own_caseload(client, seeded):
    body, headers = sign_in(client, "js1@demo.no")
    response = client.get("/api/v1/participants", headers=headers)
    assert response.status_code == 200
    participants = response.json
    assert 14 <= len(participants) <= 18
    assert {p["specialist_id"] for p in participants} == {body["user"]["id"]}
    assert sum(p["status"] == "closed" for p in participants) >= 1
    assert sum(p["status"] == "active" for p in participants) > len(participants) / 2


def test_every_demo_employer_has_a_valid_organisation_number(app, seeded):
    with app.app_context():
        employers = db.session.scalars(select(Employer)).all()
    assert len(employers) >= 20
    assert all(e.org_number and is_valid_org_number(e.org_number) for e in employers)
    assert len({e.org_number for e in employers}) == len(employers)
    assert all(e.industry for e in employers)


def test_the_history_spans_about_six_months_and_reaches_this_week(app, seeded):
    now = utcnow()
    with app.app_context():
        earliest, latest = db.session.execute(
            select(func.min(EmployerContact.contacted_at), func.max(EmployerContact.contacted_at))
        ).one()
        upcoming = db.session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.status == "planned", Meeting.starts_at > now)
        )
        past_planned = db.session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.status == "planned", Meeting.starts_at < now - timedelta(days=1))
        )
    assert earliest <= now - timedelta(days=150)
    assert latest >= now - timedelta(days=7)
    assert latest <= now
    assert upcoming > 0
    assert past_planned == 0


def test_the_demo_week_looks_like_ips_work(app):
    """Employer contacts mostly face to face, most meeting time out in the community."""
    now = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    with app.app_context():
        seed_demo(now=now)
        contacts = db.session.execute(
            select(
                EmployerContact.contacted_at, EmployerContact.mode, EmployerContact.participant_id
            )
        ).all()
        meetings = db.session.execute(
            select(Meeting.duration_minutes, Meeting.setting).where(Meeting.status == "held")
        ).all()
        db.session.rollback()
    weeks = {c.contacted_at.isocalendar()[:2] for c in contacts}
    per_week = len(contacts) / len(weeks) / 2
    assert 3 <= per_week <= 8
    assert sum(c.mode == "in_person" for c in contacts) > 0.7 * len(contacts)
    assert any(c.participant_id is None for c in contacts)
    assert any(c.participant_id is not None for c in contacts)
    minutes = sum(m.duration_minutes for m in meetings)
    community = sum(m.duration_minutes for m in meetings if m.setting == "community")
    assert 0.55 <= community / minutes <= 0.75


def test_contacts_on_behalf_of_a_participant_only_happen_with_their_consent(app, seeded):
    with app.app_context():
        consents = db.session.scalars(
            select(Consent).where(Consent.counterpart == "employers").order_by(Consent.recorded_at)
        ).all()
        named = db.session.scalars(
            select(EmployerContact).where(EmployerContact.participant_id.is_not(None))
        ).all()
        withdrawn = sum(
            not c.granted
            for c in consents
            if any(
                o.participant_id == c.participant_id and o.granted and o.recorded_at < c.recorded_at
                for o in consents
            )
        )
    assert named and withdrawn >= 1
    for contact in named:
        in_force = [
            c
            for c in consents
            if c.participant_id == contact.participant_id and c.recorded_at <= contact.contacted_at
        ]
        assert in_force and in_force[-1].granted, contact.contacted_at


def test_the_demo_participant_sees_their_own_plan_meetings_and_jobs(client, seeded):
    body, headers = sign_in(client, "deltaker1@demo.no")
    participant_id = body["user"]["participant_id"]
    assert participant_id
    steps = client.get("/api/v1/plan_steps", headers=headers).json
    assert steps and {s["participant_id"] for s in steps} == {participant_id}
    assert any(s["done_at"] is None for s in steps)
    assert any(s["done_at"] is not None for s in steps)
    goals = client.get("/api/v1/plan_goals", headers=headers).json
    assert any(g["status"] == "active" for g in goals)
    meetings = client.get("/api/v1/meetings", headers=headers).json
    now = utcnow()
    assert any(
        m["status"] == "planned" and datetime.fromisoformat(m["starts_at"]) > now for m in meetings
    )
    jobs = client.get("/api/v1/job_matches", headers=headers).json
    assert jobs and {j["participant_id"] for j in jobs} == {participant_id}


def test_no_text_in_the_demo_mentions_health(app, seeded):
    with app.app_context():
        for mapper in db.Model.registry.mappers:
            model = mapper.class_
            columns = [
                c
                for c in mapper.columns
                if isinstance(c.type, (String, Text)) and c.key != "password_hash"
            ]
            for row in db.session.scalars(select(model)):
                for column in columns:
                    text = (getattr(row, column.key) or "").lower()
                    found = [w for w in HEALTH_WORDS if w in text]
                    assert not found, f"{model.__name__}.{column.key}: {text!r}"


def test_the_job_matches_move_through_the_whole_pipeline(app, seeded):
    with app.app_context():
        matches = db.session.scalars(select(JobMatch)).all()
    statuses = {m.status for m in matches}
    assert {"lead", "applied", "hired", "rejected"} <= statuses
    jobs = [m for m in matches if m.status in ("hired", "ended")]
    assert jobs and all(m.started_on for m in jobs)
    assert any(not m.competitive for m in jobs)
    assert sum(m.competitive for m in jobs) > len(jobs) / 2


def test_the_seed_is_the_same_twice(app):
    now = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)

    def snapshot():
        summary = seed_demo(now=now)
        people = db.session.execute(
            select(
                Participant.first_name,
                Participant.last_name,
                Participant.enrolled_on,
                Participant.status,
            ).order_by(Participant.first_name, Participant.last_name)
        ).all()
        contacts = db.session.scalars(
            select(EmployerContact.contacted_at).order_by(EmployerContact.contacted_at)
        ).all()
        steps = db.session.scalars(select(PlanStep.title).order_by(PlanStep.title)).all()
        db.session.rollback()
        return summary, people, contacts, steps

    with app.app_context():
        first, second = snapshot(), snapshot()
    assert first == second
    assert first[0]["participants"] >= 28 and first[0]["employers"] >= 20


def test_seeding_twice_is_refused_with_a_clear_error(app, seeded):
    with app.app_context(), pytest.raises(DemoAlreadySeeded, match="not seeding it twice"):
        seed_demo()


def test_the_cli_seeds_an_empty_database_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ips", "seed-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Seeded the demo team" in first.output
    second = runner.invoke(args=["ips", "seed-demo", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "not seeding" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 5
