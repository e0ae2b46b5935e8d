"""When who-may-see-what changes, devices are told: evict here, resend there."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.entities import CASELOAD_ENTITIES, ENTITIES
from api.extensions import db
from api.offline.setup import feed


def participant_moved(participant_id: uuid.UUID, from_specialist: uuid.UUID) -> None:
    """The old specialist's devices drop the participant and their records; the new
    specialist's devices receive them at their next pull (the rows re-enter the feed)."""
    session = db.session
    feed.evict(session, [from_specialist], "participants", [participant_id])
    feed.touch(session, ENTITIES["participants"].model, [participant_id])
    for name in CASELOAD_ENTITIES:
        model = ENTITIES[name].model
        ids = list(session.scalars(select(model.id).where(model.participant_id == participant_id)))
        if ids:
            feed.evict(session, [from_specialist], name, ids)
            feed.touch(session, model, ids)


def user_scope_changed(user_id: uuid.UUID) -> None:
    """A user changed team or role: their devices start again from nothing at the next pull."""
    feed.reset_user(db.session, user_id)
