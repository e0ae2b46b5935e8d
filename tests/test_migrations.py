"""The migrations are the one source of the schema: they must build exactly the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api.extensions import db


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
