"""Domain rules for employer contacts, meetings and team meetings."""

from __future__ import annotations

from typing import Any

from api.access import Actor
from api.common.model import utcnow
from api.participants.consent import NO_EMPLOYER_CONSENT, consent_in_force


def default_specialist(actor: Actor, record: Any, creating: bool) -> None:
    if creating and record.specialist_id is None:
        record.specialist_id = actor.id


def prepare_employer_contact(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    default_specialist(actor, record, creating)
    if record.mode is None:
        record.mode = "in_person"
    if (
        record.participant_id is not None
        and (creating or "participant_id" in changes)
        and not consent_in_force(record.participant_id, "employers")
    ):
        return {"participant_id": NO_EMPLOYER_CONSENT}
    return {}


def prepare_meeting(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    default_specialist(actor, record, creating)
    if record.status is None:
        record.status = "planned" if record.starts_at > utcnow() else "held"
    return {}


def prepare_team_meeting(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    default_specialist(actor, record, creating)
    if record.kind is None:
        record.kind = "treatment_team"
    return {}
