"""Domain rules for participants, consents and career profiles."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.access import Actor
from api.common.model import utcnow
from api.common.time import local_today
from api.extensions import db
from api.participants.models import CareerProfile, Participant


def prepare_participant(
    actor: Actor, record: Participant, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if creating and record.specialist_id is None:
        record.specialist_id = actor.id
    if record.status is None:
        record.status = "closed" if record.closed_on else "active"
    if record.status == "closed" and record.closed_on is None:
        record.closed_on = local_today()
    if record.working_at_entry is None:
        record.working_at_entry = False
    if record.closed_on and record.enrolled_on and record.closed_on < record.enrolled_on:
        errors["closed_on"] = "The closing date cannot be before the date of entry."
    return errors


def prepare_consent(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if creating:
        record.recorded_by = actor.id
        if record.recorded_at is None:
            record.recorded_at = utcnow()
    return {}


def prepare_career_profile(
    actor: Actor, record: CareerProfile, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if creating and record.participant_id is not None:
        exists = db.session.scalar(
            select(CareerProfile.id).where(
                CareerProfile.participant_id == record.participant_id, CareerProfile.id != record.id
            )
        )
        if exists is not None:
            return {
                "participant_id": "This participant already has a career profile; "
                "change that one instead."
            }
    if not creating and "participant_id" in changes:
        return {"participant_id": "A career profile cannot move to another participant."}
    return {}
