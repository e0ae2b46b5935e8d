"""When who-may-see-what changes, devices are told: evict here, resend there."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from api.common.entity import Entity
from api.entities import ENTITIES, caseload_entities
from api.extensions import db
from api.jobs.models import JobMatch
from api.offline.feed import feed
from api.participants.models import Participant


def participant_moved(participant_id: uuid.UUID, from_specialist: uuid.UUID) -> None:
    """The old specialist's devices drop the participant and their records; the new
    specialist's devices receive them at their next pull (the rows re-enter the feed)."""
    session = db.session
    feed.evict(session, [from_specialist], "participants", [participant_id])
    feed.touch(session, ENTITIES["participants"].model, [participant_id])
    for name in caseload_entities():
        model = ENTITIES[name].model
        ids = list(session.scalars(select(model.id).where(model.participant_id == participant_id)))
        if ids:
            feed.evict(session, [from_specialist], name, ids)
            feed.touch(session, model, ids)


def participant_reassigned(entity: Entity, record: Any, before: dict[str, Any]) -> None:
    """After a written change (api.common.records.on_record_updated): a participant moved to
    another specialist leaves the old one's devices and reaches the new one's."""
    if entity.name != "participants":
        return
    previous = before.get("specialist_id")
    if previous is not None and previous != record.specialist_id:
        participant_moved(record.id, previous)


def user_scope_changed(user_id: uuid.UUID) -> None:
    """A user changed team or role: their devices start again from nothing at the next pull."""
    feed.reset_user(db.session, user_id)


def _before(history: Any, current: Any) -> Any:
    """An attribute's value before this flush."""
    if not history.has_changes():
        return current
    return history.deleted[0] if history.deleted else None


def job_matches_change_employers_seen(session: Session, flush_context: Any, instances: Any) -> None:
    """A participant sees the employers of their own job matches (api.access). A new job match
    puts its employer back in the feed, so the participant's devices receive it; one that is
    deleted or moved evicts the employer from them, unless another job match still shows it."""
    gone: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = []  # (participant, employer, match)
    shown: set[tuple[uuid.UUID, uuid.UUID]] = set()  # (participant, employer) newly shown
    touched: set[uuid.UUID] = set()
    for match in [*session.new, *session.dirty]:
        if not isinstance(match, JobMatch):
            continue
        live = match.deleted_at is None
        if match in session.new:
            if live:
                touched.add(match.employer_id)
                shown.add((match.participant_id, match.employer_id))
            continue
        attrs: Any = inspect(match).attrs
        employer = _before(attrs.employer_id.history, match.employer_id)
        participant = _before(attrs.participant_id.history, match.participant_id)
        was_live = _before(attrs.deleted_at.history, match.deleted_at) is None
        moved = (employer, participant) != (match.employer_id, match.participant_id)
        if live and (moved or not was_live):
            touched.add(match.employer_id)
            shown.add((match.participant_id, match.employer_id))
        if was_live and (moved or not live):
            gone.append((participant, employer, match.id))
    if touched:
        feed.touch(session, ENTITIES["employers"].model, touched)
    leaving = {match_id for _, _, match_id in gone}  # in this flush, not yet in the database
    with session.no_autoflush:
        for participant, employer, _ in gone:
            if (participant, employer) in shown:
                continue
            login = session.scalar(select(Participant.user_id).where(Participant.id == participant))
            still_shown = session.scalar(
                select(JobMatch.id)
                .where(
                    JobMatch.participant_id == participant,
                    JobMatch.employer_id == employer,
                    JobMatch.deleted_at.is_(None),
                    JobMatch.id.not_in(leaving),
                )
                .limit(1)
            )
            if login is not None and still_shown is None:
                feed.evict(session, [login], "employers", [employer])
