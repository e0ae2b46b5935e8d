"""The migrations are the one source of the schema: they must build exactly the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade as migrate_downgrade
from flask_migrate import upgrade as migrate_upgrade
from sqlalchemy import select, update

from api.activity.models import Meeting
from api.common.model import utcnow
from api.extensions import db
from api.offline.setup import feed
from api.participants.models import Participant
from api.plans.models import PlanGoal, PlanStep


def test_the_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_every_syncable_table_has_the_sync_columns(app):
    syncable = {
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
        "conflicts",
    }
    for name in syncable:
        columns = db.metadata.tables[name].columns
        assert {"id", "team_id", "version", "created_at", "updated_at", "deleted_at"} <= set(
            columns.keys()
        ), name
        assert not columns["team_id"].nullable


def test_records_of_participants_deleted_before_the_cascade_are_tombstoned(app, make):
    specialist = make.user()
    gone, kept = make.participant(specialist), make.participant(specialist)
    goal, step, meeting = make.goal(gone), make.step(gone), make.meeting(gone)
    kept_goal = make.goal(kept)
    records = [(PlanGoal, goal.id), (PlanStep, step.id), (Meeting, meeting.id)]
    with app.app_context():
        # as an earlier version deleted a participant: the participant alone
        db.session.execute(
            update(Participant).where(Participant.id == gone.id).values(deleted_at=utcnow())
        )
        db.session.commit()
        before = db.session.scalar(select(feed.state.c.seq))
        migrate_downgrade(revision="68039201ad1e")
        migrate_upgrade()
        db.session.expire_all()
        for model, record_id in records:
            row = db.session.get(model, record_id)
            assert row.deleted_at is not None and row.version == 2
            assert row.seq > before  # in the feed again, so that devices hear of it
        assert db.session.get(PlanGoal, kept_goal.id).deleted_at is None

        migrate_downgrade(revision="68039201ad1e")  # nothing left to do: the counter stays
        migrate_upgrade()
        assert db.session.scalar(select(feed.state.c.seq)) == before + 1
