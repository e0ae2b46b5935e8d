"""A participant's rights when they leave: a copy of their data (export) and erasure.

Erasure anonymises rather than deletes: ids, dates, modes, settings, durations, statuses and job
facts stay, so the weekly, fidelity and outcomes reports count the same as before. Every synced
row is changed through the ORM in the request's transaction, so the change feed stamps it
(version, field_versions, seq) like any other write, and devices that hold the records receive
the anonymised versions at their next pull.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, or_, select

from api.access import may_exercise_rights
from api.accounts.models import User
from api.auth.models import TokenFamily
from api.auth.service import revoke_family
from api.common.model import utcnow
from api.common.schema import hidden_fields
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.entities import ENTITIES, caseload_entities, erased_fields
from api.errors import DomainError
from api.extensions import db
from api.participants.models import Participant
from api.push.models import PushSubscription
from api.scheduler.models import Notification, PushPreference

ERASED_USER_NAME = "Slettet bruker"
# Not an argon2 hash: no password verifies against it.
UNUSABLE_PASSWORD = "!erased"

EXPLANATION = (
    "This is a copy of everything Feltlogg holds about you: your details, your consents, your "
    "career profile, your job-search plan, your meetings, the employer contacts made on your "
    "behalf, your job matches, edit conflicts about these records and your login. Records marked "
    "with deleted_at were deleted but are still kept for a while so that every device learns of "
    "the deletion. Ask your job specialist if something is wrong or unclear."
)


def participant_for_rights(actor: Any, participant_id: uuid.UUID) -> Participant | None:
    """The participant whose data `actor` may export, or None (absent and forbidden look the
    same): the participant themself, their specialist, or an admin (tombstones included)."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or not may_exercise_rights(actor, participant):
        return None
    return participant


def _records(name: str, participant_id: uuid.UUID) -> list[Any]:
    model = ENTITIES[name].model
    return list(
        db.session.scalars(
            select(model)
            .where(model.participant_id == participant_id)
            .order_by(getattr(model, ENTITIES[name].order_by), model.id)
        )
    )


def _dump(name: str, rows: list[Any]) -> list[dict[str, Any]]:
    return list(ENTITIES[name].schema(many=True).dump(rows))


def _employer_names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Employer.id, Employer.name).where(Employer.id.in_(ids)))
    return {row.id: row.name for row in rows}


def _conflicts_about(records: dict[str, list[Any]]) -> list[Conflict]:
    about = []
    for name, rows in records.items():
        ids = [r.id for r in rows]
        if ids:
            about.append((Conflict.entity == name) & Conflict.record_id.in_(ids))
    if not about:
        return []
    return list(db.session.scalars(select(Conflict).where(or_(*about)).order_by(Conflict.id)))


def _participant_records(participant: Participant) -> dict[str, list[Any]]:
    """Every synced row about the participant, by entity name, tombstones included."""
    records: dict[str, list[Any]] = {"participants": [participant]}
    for name in caseload_entities():
        records[name] = _records(name, participant.id)
    records["employer_contacts"] = _records("employer_contacts", participant.id)
    return records


def export_participant(participant: Participant) -> dict[str, Any]:
    """The participant's data as one JSON document, fields named as in the API."""
    hidden_fields.set(frozenset())  # the copy is complete, whoever fetches it for them
    records = _participant_records(participant)
    names = _employer_names(
        {r.employer_id for r in records["employer_contacts"] + records["job_matches"]}
    )

    def with_employer(name: str) -> list[dict[str, Any]]:
        rows = _dump(name, records[name])
        for row in rows:
            row["employer_name"] = names.get(uuid.UUID(row["employer_id"]))
        return rows

    profiles = _dump("career_profiles", records["career_profiles"])
    account = None
    if participant.user_id is not None:
        user = db.session.get(User, participant.user_id)
        if user is not None:
            account = {
                "email": user.email,
                "name": user.name,
                "role": user.role,
                "is_active": user.is_active,
                "created_at": user.created_at.isoformat(),
                "push_devices": [
                    {"device": s.device, "created_at": s.created_at.isoformat()}
                    for s in db.session.scalars(
                        select(PushSubscription)
                        .where(PushSubscription.user_id == user.id)
                        .order_by(PushSubscription.created_at)
                    )
                ],
            }
    return {
        "exported_at": utcnow().isoformat(),
        "explanation": EXPLANATION,
        "participant": _dump("participants", records["participants"])[0],
        "consents": _dump("consents", records["consents"]),
        "career_profile": profiles[0] if profiles else None,
        "plan_goals": _dump("plan_goals", records["plan_goals"]),
        "plan_steps": _dump("plan_steps", records["plan_steps"]),
        "meetings": _dump("meetings", records["meetings"]),
        "employer_contacts": with_employer("employer_contacts"),
        "job_matches": with_employer("job_matches"),
        "conflicts": _dump("conflicts", _conflicts_about(records)),
        "account": account,
    }


def has_left(participant: Participant) -> bool:
    return participant.closed_on is not None or participant.status == "closed"


def _replace(record: Any, values: dict[str, Any]) -> bool:
    """Set the fields that differ; whether anything changed."""
    changed = False
    for field, value in values.items():
        if getattr(record, field) != value:
            setattr(record, field, value)
            changed = True
    return changed


def _scrub_conflict(conflict: Conflict) -> bool:
    # The kept and the losing value of a text field are the participant's text; numbers,
    # booleans and dates-as-strings of other fields go too, which costs nothing.
    values = {
        "kept_value": None if isinstance(conflict.kept_value, str) else conflict.kept_value,
        "other_value": None if isinstance(conflict.other_value, str) else conflict.other_value,
    }
    return _replace(conflict, values)


def _erase_login(user: User) -> bool:
    changed = _replace(
        user,
        {
            "email": f"erased-{user.id}@invalid",
            "name": ERASED_USER_NAME,
            "is_active": False,
            "password_hash": UNUSABLE_PASSWORD,
        },
    )
    for family_id in db.session.scalars(
        select(TokenFamily.id).where(
            TokenFamily.user_id == user.id, TokenFamily.revoked_at.is_(None)
        )
    ):
        revoke_family(family_id, "account erased")
    return changed


def erase_participant(participant: Participant, confirm: uuid.UUID) -> dict[str, Any]:
    """Anonymise a participant who has left; the caller commits. Erasing again changes nothing
    and says so."""
    if confirm != participant.id:
        raise DomainError(
            422,
            "To erase, repeat the participant's id in 'confirm'.",
            {"confirm": "Must be the id of the participant to erase."},
        )
    if not has_left(participant):
        raise DomainError(
            422,
            "This participant is still in the programme: close their record first "
            "(status closed, with the date they left), then erase.",
            {"status": "Must be closed."},
        )
    now = utcnow()
    # The mark that refuses later writes, which a device offline until now might still send.
    marked = participant.erased_at is None
    if marked:
        participant.erased_at = now
    records = _participant_records(participant)
    changed: dict[str, int] = {}
    erased = erased_fields()
    for name, rows in records.items():
        changed[name] = sum(_replace(row, erased.get(name, {})) for row in rows)
    changed["conflicts"] = sum(_scrub_conflict(c) for c in _conflicts_about(records))
    login_erased = False
    removed_subscriptions = removed_notifications = 0
    if participant.user_id is not None:
        user = db.session.get(User, participant.user_id)
        if user is not None:
            login_erased = _erase_login(user)
            removed_subscriptions = _delete(PushSubscription, user.id)
            removed_notifications = _delete(Notification, user.id)
            _delete(PushPreference, user.id)
    db.session.flush()
    anything = (
        marked
        or any(changed.values())
        or login_erased
        or removed_subscriptions
        or removed_notifications
    )
    return {
        "id": participant.id,
        "erased_at": now if anything else None,
        "already_erased": not anything,
        "records_changed": changed,
        "login_deactivated": participant.user_id is not None,
        "push_subscriptions_deleted": removed_subscriptions,
        "notifications_deleted": removed_notifications,
    }


def _delete(model: Any, user_id: uuid.UUID) -> int:
    result = db.session.execute(delete(model).where(model.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
