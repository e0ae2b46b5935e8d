"""Consent in force: the participant's latest decision per counterpart decides, at once."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.extensions import db
from api.participants.models import Consent


def consent_in_force(participant_id: uuid.UUID, counterpart: str) -> bool:
    latest = db.session.scalar(
        select(Consent.granted)
        .where(
            Consent.participant_id == participant_id,
            Consent.counterpart == counterpart,
            Consent.deleted_at.is_(None),
        )
        .order_by(Consent.recorded_at.desc(), Consent.created_at.desc())
        .limit(1)
    )
    return bool(latest)


NO_EMPLOYER_CONSENT = (
    "The participant has not consented to employer contact on their behalf "
    "(or has withdrawn it): record a general contact, or their consent first."
)
