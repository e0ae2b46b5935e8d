"""Create, change and tombstone records on behalf of an actor: the one write path.

REST routes and sync push call these. Every write checks field permissions, that
referenced rows exist and are visible to the actor, the entity's own rules, and finally that the
written row is still inside the actor's scope, before anything is committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.access import (
    Actor,
    accounts,
    may_name_specialist,
    read_scope,
    rules_for,
    writable_fields,
)
from api.common.entity import ENTITIES, Entity
from api.common.journal import journal
from api.common.model import new_id, utcnow
from api.errors import CONCURRENT_WRITE, DomainError, constraint_message
from api.extensions import db

# Why a write to a participant erased at this moment is refused (None: not erased). The rule is
# participant rights' (api.rights.rules), which registers it when imported.
ErasureRule = Callable[[datetime | None], str | None]
_erasure_rule: ErasureRule | None = None


def set_erasure_rule(rule: ErasureRule) -> None:
    global _erasure_rule
    _erasure_rule = rule


def _write_refusal_after_erasure(erased_at: datetime | None) -> str | None:
    if _erasure_rule is None:
        raise RuntimeError("No erasure rule: import api.rights (create_app does).")
    return _erasure_rule(erased_at)


# Told of every written change, in the same transaction: listener(entity, record, before), with
# `before` the changed fields' values before it. The sync wiring adds one (api.offline.setup).
UpdateListener = Callable[[Entity, Any, dict[str, Any]], None]
_update_listeners: list[UpdateListener] = []


def on_record_updated(listener: UpdateListener) -> None:
    """Call `listener` after every change update_record writes."""
    if listener not in _update_listeners:
        _update_listeners.append(listener)


def find_visible(
    actor: Actor,
    entity: Entity,
    record_id: uuid.UUID,
    include_deleted: bool = False,
    for_update: bool = False,
) -> Any:
    """The record if `actor` may read it; otherwise None (absent and forbidden look the same).
    `for_update`: lock the row until the transaction ends and read it fresh, so that a change
    made from it cannot lose a race (PostgreSQL; SQLite has one writer at a time anyway)."""
    return find_visible_many(actor, entity, [record_id], include_deleted, for_update).get(record_id)


def find_visible_many(
    actor: Actor,
    entity: Entity,
    record_ids: Iterable[uuid.UUID],
    include_deleted: bool = False,
    for_update: bool = False,
) -> dict[uuid.UUID, Any]:
    """find_visible for many ids at once: the records `actor` may read, by id. Locked rows are
    taken in the order of their ids, as every batch takes them, so that two batches wait for
    each other instead of deadlocking."""
    scope = read_scope(actor, entity.name)
    ids = sorted(set(record_ids))
    if scope is None or not ids:
        return {}
    model = entity.model
    found: dict[uuid.UUID, Any] = {}
    for start in range(0, len(ids), 500):
        query = select(model).where(model.id.in_(ids[start : start + 500]), scope)
        if not include_deleted:
            query = query.where(model.deleted_at.is_(None))
        if for_update:
            # FOR NO KEY UPDATE: rows that only reference these (a new contact naming this
            # employer) may still be written meanwhile.
            query = (
                query.order_by(model.id)
                .with_for_update(of=model, key_share=True)
                .execution_options(populate_existing=True)
            )
        found.update((record.id, record) for record in db.session.scalars(query))
    return found


class ReferenceLookup:
    """Which referenced rows an actor may use: asked one id at a time, or loaded for a batch.

    A specialist is named within the team of the record that names them: the actor's own team,
    or for an admin (who has none) the team of the participant they move."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        # (target, team for "specialists" else None, id) -> usable
        self.usable: dict[tuple[str, uuid.UUID | None, uuid.UUID], bool] = {}
        self.erased: dict[uuid.UUID, datetime | None] = {}  # participant -> erased_at

    def _query(self, target: str, ids: set[uuid.UUID], team_id: uuid.UUID | None) -> Any:
        if target == "specialists":
            user = accounts.user
            return select(user.id).where(
                user.id.in_(ids),
                user.team_id == team_id,
                user.role == "specialist",
                user.is_active.is_(True),
            )
        model = ENTITIES[target].model
        scope = read_scope(self.actor, target)
        if scope is None:
            return None
        return select(model.id).where(model.id.in_(ids), scope, model.deleted_at.is_(None))

    def _team(self, target: str, team_id: uuid.UUID | None) -> uuid.UUID | None:
        return (team_id or self.actor.team_id) if target == "specialists" else None

    def load(self, target: str, ids: set[uuid.UUID], team_id: uuid.UUID | None = None) -> None:
        team = self._team(target, team_id)
        ids = {i for i in ids if (target, team, i) not in self.usable}
        if not ids:
            return
        query = self._query(target, ids, team)
        found = set(db.session.scalars(query)) if query is not None else set()
        self.usable.update(((target, team, i), i in found) for i in ids)

    def may_use(self, target: str, value: uuid.UUID, team_id: uuid.UUID | None = None) -> bool:
        self.load(target, {value}, team_id)
        return self.usable[(target, self._team(target, team_id), value)]

    def load_erased(self, participant_ids: set[uuid.UUID]) -> None:
        ids = {i for i in participant_ids if i not in self.erased}
        if not ids:
            return
        participant = accounts.participant
        query = select(participant.id, participant.erased_at).where(
            participant.id.in_(ids), participant.erased_at.is_not(None)
        )
        found = {row.id: row.erased_at for row in db.session.execute(query)}
        self.erased.update((i, found.get(i)) for i in ids)

    def erased_at(self, participant_id: uuid.UUID) -> datetime | None:
        self.load_erased({participant_id})
        return self.erased[participant_id]


def _participant_of(entity: Entity, record: Any) -> uuid.UUID | None:
    """Whose data the record is: the participant themself, or the one it names."""
    if entity.name == "participants":
        return record.id
    return getattr(record, "participant_id", None)


def _refuse_after_erasure(
    lookup: ReferenceLookup, participant_ids: Iterable[uuid.UUID | None]
) -> None:
    """Nothing is written to an erased participant or a record of theirs (api/rights/rules.py).
    Asked only once the references are known to be the actor's to use: an outsider learns
    nothing from the answer."""
    for participant_id in participant_ids:
        if participant_id is not None:
            refusal = _write_refusal_after_erasure(lookup.erased_at(participant_id))
            if refusal is not None:
                raise DomainError(409, refusal, code="erased")


def refuse_writes_after_erasure(actor: Actor, entity: Entity, record: Any) -> None:
    """Raise DomainError if `record` is an erased participant's (or the participant)."""
    _refuse_after_erasure(ReferenceLookup(actor), [_participant_of(entity, record)])


def _check_references(
    actor: Actor,
    entity: Entity,
    record: Any,
    changes: dict[str, Any],
    creating: bool,
    lookup: ReferenceLookup | None = None,
) -> dict[str, str]:
    lookup = lookup or ReferenceLookup(actor)
    errors: dict[str, str] = {}
    for field_name, target in entity.references.items():
        value = getattr(record, field_name)
        # A reference made earlier stays valid (a participant moved on, a colleague left).
        if value is None or not (creating or field_name in changes):
            continue
        if not lookup.may_use(target, value, record.team_id):
            errors[field_name] = (
                "No active specialist with this id in the team."
                if target == "specialists"
                else f"No {ENTITIES[target].human} with this id that you can use."
            )
        elif target == "specialists" and not may_name_specialist(actor, value):
            errors[field_name] = "Record your own work: this must be your own id."
    return errors


def _apply(
    actor: Actor,
    entity: Entity,
    record: Any,
    changes: dict[str, Any],
    creating: bool,
    lookup: ReferenceLookup | None = None,
) -> None:
    allowed = writable_fields(actor, entity.name)
    if allowed is not None and not creating:
        refused = sorted(set(changes) - allowed)
        if refused:
            raise DomainError(
                403,
                f"As {actor.role} you may not change: {', '.join(refused)}.",
                {name: "You may not change this field." for name in refused},
                code="field_not_writable",
            )
    # Whose the record was before the change: moving it off an erased participant is a write
    # to their data too.
    earlier = None if creating else _participant_of(entity, record)
    for name, value in changes.items():
        if name != "id":
            setattr(record, name, value)
    lookup = lookup or ReferenceLookup(actor)
    # Checks query the database; the half-changed record must not be flushed before they pass.
    # References first: the entity's own rules may look at the referenced rows, and must not
    # tell anything about rows the actor cannot see.
    with db.session.no_autoflush:
        errors = _check_references(actor, entity, record, changes, creating, lookup)
        if not errors and not (creating and entity.name == "participants"):
            _refuse_after_erasure(lookup, {earlier, _participant_of(entity, record)})
        if not errors and entity.prepare:
            errors = entity.prepare(actor, record, changes, creating)
    if errors:
        raise DomainError(422, "Some fields are not valid; see 'errors' for what to fix.", errors)


def _flush() -> None:
    # On failure the caller rolls back: the whole request (REST) or its savepoint (sync push).
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise DomainError(409, constraint_message(exc), code="constraint") from exc
    except StaleDataError as exc:
        # Another transaction changed the row between our read and our write.
        raise DomainError(409, CONCURRENT_WRITE, concurrent=True) from exc


def create_record(actor: Actor, entity: Entity, data: dict[str, Any]) -> Any:
    """Create one record: a batch of one (create_records)."""
    (outcome,) = create_records(actor, entity, [data])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def create_records(
    actor: Actor, entity: Entity, items: list[dict[str, Any]]
) -> list[Any | DomainError]:
    """Create many records at once: the same checks as create_record, set-based where they
    touch the database, one flush. Returns, per item, the record or why it was refused.

    Raises DomainError if the batch as a whole fails at the database (the caller rolls back
    and may retry the items one by one).
    """
    if actor.role not in rules_for(entity.name).create_roles:
        refusal = DomainError(
            403, f"A {actor.role} may not create {entity.human}.", code="not_permitted"
        )
        return [refusal] * len(items)
    model = entity.model
    ids = [data.get("id") or new_id() for data in items]
    taken = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
    lookup = ReferenceLookup(actor)
    for field_name, target in entity.references.items():
        lookup.load(target, {d[field_name] for d in items if d.get(field_name) is not None})
    if "participant_id" in entity.references:
        lookup.load_erased({d["participant_id"] for d in items if d.get("participant_id")})
    results: list[Any | DomainError] = []
    fresh = []
    for record_id, data in zip(ids, items, strict=True):
        if record_id in taken:
            results.append(
                DomainError(
                    409,
                    "A record with this id already exists; generate a new id.",
                    {"id": "Already taken."},
                    code="already_exists",
                )
            )
            continue
        record = model(id=record_id)
        record.team_id = actor.team_id
        try:
            _apply(actor, entity, record, data, creating=True, lookup=lookup)
        except DomainError as error:
            results.append(error)
            continue
        results.append(record)
        fresh.append(record)
    if fresh:
        db.session.add_all(fresh)
        _flush()
        scope = read_scope(actor, entity.name)
        assert scope is not None  # a role that creates also reads
        visible = set(
            db.session.scalars(select(model.id).where(model.id.in_([r.id for r in fresh]), scope))
        )
        if len(visible) != len(fresh):
            raise DomainError(
                403,
                f"You may only write {entity.human} within your own caseload and team.",
                code="outside_scope",
            )
        journal().wrote(actor, "create", entity.name, fresh)
    return results


def update_record(
    actor: Actor,
    entity: Entity,
    record: Any,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Any:
    """Change one record: a batch of one (update_records). `expected_version`: refuse unless
    the record is at this version (REST's If-Match)."""
    if expected_version is not None and expected_version != record.version:
        raise DomainError(
            412,
            f"The record is at version {record.version}, not "
            f"{expected_version}: fetch it again and reapply your change.",
        )
    (outcome,) = update_records(actor, entity, [(record, changes)])
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def update_records(
    actor: Actor, entity: Entity, items: list[tuple[Any, dict[str, Any]]]
) -> list[Any | DomainError]:
    """Change many records at once: per (record, changes), the same checks as a single change,
    set-based where they touch the database, one flush. Returns, per item, the record or why
    it was refused (a refused record keeps none of its changes).

    Raises DomainError if the batch as a whole fails at the database or leaves the actor's
    scope (the caller rolls back and may retry the items one by one).
    """
    lookup = ReferenceLookup(actor)
    to_change = [(record, changes) for record, changes in items if changes]
    for field_name, target in entity.references.items():
        by_team: dict[uuid.UUID | None, set[uuid.UUID]] = {}
        for record, changes in to_change:
            if changes.get(field_name) is not None:
                by_team.setdefault(record.team_id, set()).add(changes[field_name])
        for team_id, ids in by_team.items():
            lookup.load(target, ids, team_id)
    whose = {_participant_of(entity, record) for record, _ in to_change}
    if "participant_id" in entity.references:
        whose |= {c["participant_id"] for _, c in to_change if c.get("participant_id")}
    lookup.load_erased({i for i in whose if i is not None})
    results: list[Any | DomainError] = []
    changed: list[tuple[Any, dict[str, Any], uuid.UUID | None]] = []
    for record, changes in items:
        if not changes:
            results.append(record)
            continue
        earlier = _participant_of(entity, record)
        before = {name: getattr(record, name) for name in changes if name != "id"}
        try:
            _apply(actor, entity, record, changes, creating=False, lookup=lookup)
        except DomainError as error:
            db.session.expire(record)  # none of the refused change is written
            results.append(error)
            continue
        results.append(record)
        changed.append((record, before, earlier))
    if not changed:
        return results
    _flush()
    model = entity.model
    scope = read_scope(actor, entity.name)
    written = {record.id for record, _, _ in changed}
    visible = scope is not None and written == set(
        db.session.scalars(select(model.id).where(model.id.in_(written), scope))
    )
    if not visible:
        raise DomainError(
            403,
            f"You may only write {entity.human} within your own caseload and team.",
            code="outside_scope",
        )
    for record, before, earlier in changed:
        for listener in _update_listeners:
            listener(entity, record, before)
        # Moved to another participant: both participants' data changed.
        moved_from = earlier if earlier != _participant_of(entity, record) else None
        journal().changed(actor, entity.name, record, moved_from)
    return results


def delete_record(actor: Actor, entity: Entity, record: Any) -> None:
    """Tombstone: the row stays so that devices learn of the deletion."""
    if actor.role not in rules_for(entity.name).delete_roles:
        raise DomainError(
            403, f"A {actor.role} may not delete {entity.human}.", code="not_permitted"
        )
    refuse_writes_after_erasure(actor, entity, record)
    record.deleted_at = utcnow()
    if entity.on_delete is not None:
        entity.on_delete(record)
    _flush()
    journal().wrote(actor, "delete", entity.name, [record])
