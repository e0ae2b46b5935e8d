"""Domain rules for employers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.access import Actor
from api.employers.models import Employer
from api.extensions import db


def prepare_employer(
    actor: Actor, record: Employer, changes: dict[str, Any], creating: bool
) -> dict[str, str]:
    if record.org_number and "org_number" in changes:
        taken = db.session.scalar(
            select(Employer.name).where(
                Employer.team_id == record.team_id,
                Employer.org_number == record.org_number,
                Employer.deleted_at.is_(None),
                Employer.id != record.id,
            )
        )
        if taken is not None:
            return {"org_number": f"Your team already has this employer, as {taken!r}."}
    return {}
