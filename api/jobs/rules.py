"""Domain rules for job matches."""

from __future__ import annotations

from typing import Any

from api.access import Actor
from api.jobs.models import JobMatch
from api.participants.consent import NO_EMPLOYER_CONSENT, consent_in_force


def prepare_job_match(
    actor: Actor, record: JobMatch, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if record.status is None:
        record.status = "lead"
    if record.competitive is None:
        record.competitive = True
    if record.status in ("hired", "ended") and record.started_on is None:
        errors["started_on"] = "A hired or ended job needs its start date."
    if record.status == "ended" and record.ended_on is None:
        errors["ended_on"] = "An ended job needs its end date."
    if record.started_on and record.ended_on and record.ended_on < record.started_on:
        errors["ended_on"] = "The end date cannot be before the start date."
    if (creating or "participant_id" in changes) and not consent_in_force(
        record.participant_id, "employers"
    ):
        errors["participant_id"] = NO_EMPLOYER_CONSENT
    return errors
