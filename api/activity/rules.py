"""Domain rules for employer contacts, meetings and team meetings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app

from api.access import Actor
from api.common.model import utcnow
from api.participants.consent import NO_EMPLOYER_CONSENT, consent_in_force


def default_specialist(actor: Actor, record: Any, creating: bool) -> None:
    if creating and record.specialist_id is None:
        record.specialist_id = actor.id


# A phone's clock may run a little ahead of the server's: that is not "the future".
CLOCK_SKEW = timedelta(minutes=5)


def when_it_happened(
    record: Any, field: str, changes: dict[str, Any], creating: bool, future: bool
) -> dict[str, str]:
    """Work is logged late, but not too late: what happened may be set back at most
    ACTIVITY_MAX_DAYS_BACK days before it was logged (0: no limit), and (unless `future`) not
    after now. Checked when the record is logged and when that time is changed; the bound
    follows when it was first logged, so that an edit synced days later is judged alike."""
    if creating and record.logged_at is None:
        record.logged_at = utcnow()
    errors: dict[str, str] = {}
    now = utcnow()
    if not creating and "logged_at" in changes:
        errors["logged_at"] = "Set when the record is logged; it cannot change afterwards."
    if creating and record.logged_at > now + CLOCK_SKEW:
        errors["logged_at"] = "Cannot be in the future; check the device's clock."
    if not (creating or field in changes):
        return errors
    happened = getattr(record, field)
    days = int(current_app.config.get("ACTIVITY_MAX_DAYS_BACK") or 0)
    if days and happened < record.logged_at - timedelta(days=days):
        errors[field] = f"Can be at most {days} days before it was logged."
    elif not future and happened > now + CLOCK_SKEW:
        errors[field] = "Cannot be in the future."
    return errors


def prepare_employer_contact(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    default_specialist(actor, record, creating)
    errors = when_it_happened(record, "contacted_at", changes, creating, future=False)
    if errors:
        return errors
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
    # A meeting may be planned ahead; logged afterwards, the same bound as a contact.
    return when_it_happened(record, "starts_at", changes, creating, future=True)


def prepare_team_meeting(
    actor: Actor, record: Any, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    default_specialist(actor, record, creating)
    if record.kind is None:
        record.kind = "treatment_team"
    return {}
