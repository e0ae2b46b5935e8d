"""The migrations are the one source of the schema: they must build exactly the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade as migrate_downgrade
from flask_migrate import upgrade as migrate_upgrade
from sqlalchemy import inspect, select, text, update

from api.activity.models import Meeting
from api.common.model import utcnow
from api.entities import ENTITIES
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
    syncable = {entity.model.__tablename__ for entity in ENTITIES.values()}
    assert len(syncable) == len(ENTITIES)
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
    gone_id, kept_goal_id = gone.id, kept_goal.id
    # The factories' transaction ends here: a downgrade that alters participants would wait for
    # its lock (PostgreSQL).
    db.session.rollback()
    with app.app_context():
        # as an earlier version deleted a participant: the participant alone
        db.session.execute(
            update(Participant).where(Participant.id == gone_id).values(deleted_at=utcnow())
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
        assert db.session.get(PlanGoal, kept_goal_id).deleted_at is None
        # The reads above hold their tables until the transaction ends; a downgrade that alters
        # one of them (meetings) would wait for it (PostgreSQL).
        db.session.rollback()

        migrate_downgrade(revision="68039201ad1e")  # nothing left to do: the counter stays
        migrate_upgrade()
        assert db.session.scalar(select(feed.state.c.seq)) == before + 1


def test_the_audit_log_migration_goes_down_and_up_again_with_its_guard(app):
    def state() -> tuple[bool, bool, bool]:
        with db.engine.connect() as connection:
            inspector = inspect(connection)
            columns = {c["name"] for c in inspector.get_columns("participants")}
            guard = connection.dialect.name == "postgresql" and bool(
                connection.scalar(
                    text("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only'")
                )
            )
            return inspector.has_table("audit_log"), "erased_at" in columns, guard

    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        assert state() == (True, True, postgresql)
        migrate_downgrade(revision="c3a8f5e27d14")
        assert state() == (False, False, False)
        migrate_upgrade()
        assert state() == (True, True, postgresql)
