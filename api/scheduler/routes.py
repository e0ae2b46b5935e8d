"""Notification preferences (each user their own) and the scheduler's job runs (admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import func, select

from api.access import current_actor
from api.common.crud import PAGINATION_QUERY, ApiBlueprint, refuse_unknown_query
from api.common.time import local_zone
from api.extensions import db
from api.scheduler.models import JobRun
from api.scheduler.preferences import preferences_of, save_preferences
from api.scheduler.schemas import JobRunFilterSchema, JobRunSchema, PushPreferencesSchema

blp = ApiBlueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1",
    description="Which push notifications each user gets and when (quiet hours), and the "
    "runs of the scheduler's jobs that send them (admins).",
)


@blp.route("/push/preferences")
class Preferences(MethodView):
    @blp.response(200, PushPreferencesSchema)
    def get(self) -> Any:
        """The signed-in user's notification preferences (the defaults until they choose)."""
        refuse_unknown_query(frozenset())
        actor = current_actor()
        return preferences_of(actor.id).as_dict(local_zone())

    @blp.arguments(PushPreferencesSchema)
    @blp.response(200, PushPreferencesSchema)
    def put(self, data: dict[str, Any]) -> Any:
        """Replace the signed-in user's notification preferences."""
        actor = current_actor()
        quiet = data["quiet_hours"]
        saved = save_preferences(
            actor.id, data["kinds"], (quiet["start"], quiet["end"]) if quiet else None
        )
        db.session.commit()
        return saved.as_dict(local_zone())


JOB_RUN_QUERY = frozenset(JobRunFilterSchema().fields) | PAGINATION_QUERY


@blp.route("/admin/job-runs", methods=["GET"])
@blp.arguments(JobRunFilterSchema, location="query")
@blp.response(200, JobRunSchema(many=True))
@blp.paginate()
def job_runs(args: dict[str, Any], pagination_parameters: Any) -> Any:
    """The scheduler's job runs, newest slot first (admin)."""
    refuse_unknown_query(JOB_RUN_QUERY)
    current_actor(("admin",))
    where = [JobRun.job == args["job"]] if "job" in args else []
    pagination_parameters.item_count = db.session.scalar(
        select(func.count()).select_from(JobRun).where(*where)
    )
    return db.session.scalars(
        select(JobRun)
        .where(*where)
        .order_by(JobRun.scheduled_for.desc(), JobRun.started_at.desc(), JobRun.id)
        .offset(pagination_parameters.first_item)
        .limit(pagination_parameters.page_size)
    ).all()
