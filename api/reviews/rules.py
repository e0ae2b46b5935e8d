"""Domain rules for week reviews."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from api.access import Actor
from api.common.model import utcnow
from api.extensions import db
from api.reviews.models import WeekReview


def prepare_review(
    actor: Actor, record: WeekReview, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if not creating:
        return {}
    record.reviewed_by = actor.id
    record.reviewed_at = utcnow()
    try:
        date.fromisocalendar(record.iso_year, record.iso_week, 1)
    except ValueError:
        return {"iso_week": f"{record.iso_year} has no week {record.iso_week}."}
    taken = db.session.scalar(
        select(WeekReview.id).where(
            WeekReview.specialist_id == record.specialist_id,
            WeekReview.iso_year == record.iso_year,
            WeekReview.iso_week == record.iso_week,
            WeekReview.deleted_at.is_(None),
        )
    )
    if taken is not None:
        return {"iso_week": "This week is already marked as reviewed for this specialist."}
    return {}
