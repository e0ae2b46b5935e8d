"""Recording who read or changed a participant's data, and searching what was recorded.

An entry is a plain dict with the columns of `audit_log`: one per participant, action and entity
in a request, naming the record when there was one (else how many). Entries go into the table
with one executemany INSERT, never as ORM objects: a sync pull notes a whole caseload at once.

- Changes are recorded in the transaction that makes them (`record_access`, called from the one
  write path, api/common/records.py): a change rolled back leaves no entry, a committed one
  always has its entry.
- Reads are noted while the request runs (`note_reads`) and written when the response is ready,
  before it is sent, in a transaction of their own (`write_noted_reads`): a read request stays a
  reader while it reads, and if its entries cannot be written the data is not sent.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from flask import Response, has_request_context, request
from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from api.access import Actor, why_allowed
from api.audit.models import AuditEvent
from api.common.model import new_id, utcnow
from api.extensions import PROBLEM_JSON, db, problem

log = logging.getLogger(__name__)

Entry = dict[str, Any]
# (record id or None, participant id): one record of an entity and whose it is. Ids are UUIDs
# or their strings (as on the wire), made UUIDs only for the entries.
Touch = tuple[uuid.UUID | str | None, uuid.UUID | str]


def _request_context() -> tuple[uuid.UUID | None, str | None]:
    """The request's id for the log (made on first use) and the endpoint that serves it."""
    if not has_request_context():
        return None, None
    request_id: uuid.UUID | None = getattr(request, "feltlogg_audit_request_id", None)
    if request_id is None:
        request_id = new_id()
        request.feltlogg_audit_request_id = request_id  # type: ignore[attr-defined]
    return request_id, request.endpoint


def entries_for(
    actor: Actor, action: str, entity: str, touches: Iterable[Touch], reason: str | None = None
) -> list[Entry]:
    """Entries for `actor` doing `action` to these records of `entity`: one per participant,
    with the record's id when it was one record. `reason` defaults to the access rule's."""
    records: dict[uuid.UUID | str, set[uuid.UUID | str]] = {}
    for record_id, participant_id in touches:
        ids = records.setdefault(participant_id, set())
        if record_id is not None:
            ids.add(record_id)
    if not records:
        return []
    at = utcnow()
    request_id, endpoint = _request_context()
    why = reason or why_allowed(actor, entity)
    return [
        {
            "id": new_id(),
            "at": at,
            "request_id": request_id,
            "actor_id": actor.id,
            "actor_role": actor.role,
            "action": action,
            "entity": entity,
            "record_id": _as_uuid(next(iter(ids))) if len(ids) == 1 else None,
            "record_count": max(len(ids), 1),
            "participant_id": _as_uuid(participant_id),
            "reason": why,
            "endpoint": endpoint,
        }
        for participant_id, ids in records.items()
    ]


def _as_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def participants_of_records(entity: str, records: Iterable[Any]) -> list[Touch]:
    """(record id, participant id) of those records that are a participant's data: the
    participant themself, a row with a participant_id, or a conflict about either. Records
    are model instances or rows of the table's columns."""
    if entity == "conflicts":
        return participants_of_conflicts(
            [(r.id, r.entity, r.record_id) for r in records if r.record_id is not None]
        )
    if entity == "participants":
        return [(r.id, r.id) for r in records]
    return [
        (r.id, r.participant_id) for r in records if getattr(r, "participant_id", None) is not None
    ]


def participants_of_conflicts(conflicts: list[tuple[Any, str, Any]]) -> list[Touch]:
    """(conflict id, participant id) for conflicts, given as (id, entity, record id), about
    a participant or a record of theirs (the conflict's values are their data)."""
    about: dict[str, set[uuid.UUID]] = {}
    for _, entity, record_id in conflicts:
        about.setdefault(entity, set()).add(_as_uuid(record_id))
    from api.entities import ENTITIES  # the registry imports every area; avoid a cycle

    owner: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
    for entity, ids in about.items():
        if entity not in ENTITIES:
            continue
        model = ENTITIES[entity].model
        if entity == "participants":
            query = select(model.id, model.id.label("participant_id")).where(model.id.in_(ids))
        elif hasattr(model, "participant_id"):
            query = select(model.id, model.participant_id).where(
                model.id.in_(ids), model.participant_id.is_not(None)
            )
        else:
            continue
        owner.update(((entity, row.id), row.participant_id) for row in db.session.execute(query))
    touches: list[Touch] = []
    for conflict_id, entity, record_id in conflicts:
        participant_id = owner.get((entity, _as_uuid(record_id)))
        if participant_id is not None:
            touches.append((_as_uuid(conflict_id), participant_id))
    return touches


def access_entries(
    actor: Actor, action: str, entity: str, records: Iterable[Any], reason: str | None = None
) -> list[Entry]:
    """Entries for `actor` doing `action` to `records` of `entity` (model instances); records
    that are no participant's data are left out."""
    return entries_for(actor, action, entity, participants_of_records(entity, records), reason)


def pull_entries(actor: Actor, changes: Sequence[Mapping[str, Any]]) -> list[Entry]:
    """Reads for the rows a sync pull hands out, from the changes as they go on the wire.
    Tombstones and evictions carry no data and are not reads."""
    touches: dict[str, list[Touch]] = {}
    conflicts: list[tuple[Any, str, Any]] = []
    for change in changes:
        data = change["data"]
        if data is None:
            continue
        entity = change["entity"]
        if entity == "participants":
            participant_id = data["id"]
        elif entity == "conflicts":
            if data.get("record_id") is not None:
                conflicts.append((data["id"], data["entity"], data["record_id"]))
            continue
        else:
            participant_id = data.get("participant_id")
            if participant_id is None:
                continue
        # Data may hold UUID objects (the pull's fast dump) or their text.
        touches.setdefault(entity, []).append((change["id"], _as_uuid(participant_id)))
    if conflicts:
        touches["conflicts"] = participants_of_conflicts(conflicts)
    entries: list[Entry] = []
    for entity, touched in touches.items():
        entries.extend(entries_for(actor, "read", entity, touched))
    return entries


def report_entries(actor: Actor, report: str, document: Any) -> list[Entry]:
    """Reads for a report that names participants: one per participant named anywhere in
    `document` (under a `participant_id` key, at any depth), allowed by the reader's role."""
    named: set[uuid.UUID] = set()
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if node.get("participant_id") is not None:
                named.add(_as_uuid(node["participant_id"]))
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    touches = [(None, participant_id) for participant_id in named]
    return entries_for(actor, "read", report, touches, reason=why_allowed(actor))


def record_access(entries: list[Entry]) -> None:
    """Insert the entries in the current transaction, with one statement; the caller commits."""
    if entries:
        db.session.execute(insert(AuditEvent.__table__), entries)


def note_reads(entries: list[Entry]) -> None:
    """Keep the entries of a read until the response is ready (see write_noted_reads)."""
    if entries:
        noted: list[Entry] = getattr(request, "feltlogg_audit_reads", [])
        request.feltlogg_audit_reads = [*noted, *entries]  # type: ignore[attr-defined]


WITHHELD = (
    "The access could not be recorded in the audit log, so the data is not sent; nothing was "
    "saved. Try again."
)


def write_noted_reads(response: Response) -> Response:
    """Write the reads noted for this request, if it succeeded. A read request's own
    transaction ends first, so that the entries are written in a short one of their own. If
    they cannot be written, the response becomes a 500 problem: no read goes unrecorded."""
    noted: list[Entry] = getattr(request, "feltlogg_audit_reads", [])
    if not noted:
        return response
    request.feltlogg_audit_reads = []  # type: ignore[attr-defined]
    if response.status_code >= 400:
        return response
    try:
        if request.method in ("GET", "HEAD"):
            db.session.rollback()
        record_access(noted)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.exception("Could not write %d audit entries; the response was withheld", len(noted))
        # Changed in place, so that the headers other hooks set (security, CORS) stay; the
        # body may already be compressed, and what described it goes with it.
        withheld = problem(500, "Internal Server Error", WITHHELD)
        for header in ("Content-Encoding", "Content-Disposition", "Content-Language", "ETag"):
            response.headers.pop(header, None)
        response.set_data(withheld.get_data())
        response.status_code = 500
        response.mimetype = PROBLEM_JSON
    return response


def search_conditions(filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """The WHERE of an audit search: equality on ids and codes, and a time window [first, last)."""
    conditions: list[ColumnElement[bool]] = []
    for name in ("participant_id", "actor_id", "action", "entity", "record_id"):
        if filters.get(name) is not None:
            conditions.append(getattr(AuditEvent, name) == filters[name])
    start: datetime | None = filters.get("first")
    end: datetime | None = filters.get("last")
    if start is not None:
        conditions.append(AuditEvent.at >= start)
    if end is not None:
        conditions.append(AuditEvent.at < end)
    return conditions


def count_events(filters: Mapping[str, Any]) -> int:
    query = select(func.count()).select_from(AuditEvent).where(*search_conditions(filters))
    return db.session.scalar(query) or 0


def search_events(filters: Mapping[str, Any], offset: int, limit: int) -> list[AuditEvent]:
    """A page of the entries matching `filters`, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(*search_conditions(filters))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
