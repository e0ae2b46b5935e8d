"""Tell the sync engine which entities sync, who sees what, how fields merge, how to write.

Importing this module imports every area (api.areas), builds the registry from the entities
they declare (each with its sync position, merge rules and append-only flag) and installs
nothing: init_sync(app), called by create_app, installs the change feed's session hooks (once
per process) and the listeners that tell devices when who-may-see-what changes.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from api.access import Actor, hidden_fields_for, read_scope
from api.areas import import_areas
from api.common.fastdump import dump_many
from api.common.records import (
    DomainError,
    create_record,
    create_records,
    delete_record,
    find_visible,
    find_visible_many,
    on_record_updated,
    refuse_writes_after_erasure,
    update_record,
    update_records,
)
from api.conflicts.models import Conflict
from api.entities import ENTITIES
from api.extensions import db
from api.offline.feed import feed
from api.offline.scope_changes import job_matches_change_employers_seen, participant_reassigned
from sync.registry import Registry, Rejected, SyncEntity

# Every area's entities (api.areas finds the areas): each declares how it syncs.
import_areas()

# The oldest app schema the server still accepts; older apps are told to update.
MIN_SCHEMA_VERSION = 1
SCHEMA_VERSION = 1

# Sync order: referenced rows before the rows that reference them, so a device can apply a
# page in order; each entity's sync_position places it. The order is part of the cursor.
SYNC_ORDER = tuple(
    entity.name for entity in sorted(ENTITIES.values(), key=lambda e: e.sync_position)
)


def _refusal(error: DomainError) -> Rejected:
    return Rejected(
        error.detail, error.errors, status=error.status, retry=error.concurrent, code=error.code
    )


class RecordWriter:
    """The engine writes through the same path as REST: api.common.records."""

    def find(self, actor: Actor, entity: str, record_id: uuid.UUID) -> Any | None:
        return find_visible(
            actor, ENTITIES[entity], record_id, include_deleted=True, for_update=True
        )

    def find_many(self, actor: Actor, entity: str, record_ids: set[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these ids name records the actor can find (tombstones included)."""
        model = ENTITIES[entity].model
        scope = read_scope(actor, entity)
        if scope is None:
            return set()
        found: set[uuid.UUID] = set()
        ids = list(record_ids)
        for start in range(0, len(ids), 500):
            found.update(
                db.session.scalars(
                    select(model.id).where(model.id.in_(ids[start : start + 500]), scope)
                )
            )
        return found

    def lock_many(
        self, actor: Actor, entity: str, record_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, Any]:
        return find_visible_many(
            actor, ENTITIES[entity], record_ids, include_deleted=True, for_update=True
        )

    def update_many(
        self, actor: Actor, entity: str, items: list[tuple[Any, dict[str, Any]]]
    ) -> list[Any]:
        try:
            outcomes = update_records(actor, ENTITIES[entity], items)
        except DomainError as error:
            raise _refusal(error) from error
        return [_refusal(o) if isinstance(o, DomainError) else o for o in outcomes]

    def create_many(self, actor: Actor, entity: str, items: list[dict[str, Any]]) -> list[Any]:
        try:
            outcomes = create_records(actor, ENTITIES[entity], items)
        except DomainError as error:
            raise _refusal(error) from error
        return [_refusal(o) if isinstance(o, DomainError) else o for o in outcomes]

    def create(self, actor: Actor, entity: str, data: dict[str, Any]) -> Any:
        try:
            return create_record(actor, ENTITIES[entity], data)
        except DomainError as error:
            raise _refusal(error) from error

    def update(self, actor: Actor, entity: str, record: Any, changes: dict[str, Any]) -> Any:
        try:
            return update_record(actor, ENTITIES[entity], record, changes)
        except DomainError as error:
            raise _refusal(error) from error

    def delete(self, actor: Actor, entity: str, record: Any) -> None:
        try:
            delete_record(actor, ENTITIES[entity], record)
        except DomainError as error:
            raise _refusal(error) from error

    def record_conflict(
        self, actor: Actor, entity: str, record: Any, field: str, kept_value: Any, other_value: Any
    ) -> None:
        # The other value would be the erased text, kept where the user could see it again.
        try:
            refuse_writes_after_erasure(actor, ENTITIES[entity], record)
        except DomainError as error:
            raise _refusal(error) from error
        db.session.add(
            Conflict(
                team_id=record.team_id,
                entity=entity,
                record_id=record.id,
                field=field,
                kept_value=kept_value,
                other_value=other_value,
                user_id=actor.id,
            )
        )
        # "merged: the next pull brings the record and the conflict" (docs/sync.md), also when
        # the record kept its value (set wins) and so was not written.
        feed.touch(db.session, type(record), [record.id])


def _serializer(name: str) -> Any:
    def serialize(actor: Actor, rows: list[Any]) -> list[dict[str, Any]]:
        entity = ENTITIES[name]
        # Native values: the pull route encodes with orjson (api/offline/routes.py).
        return dump_many(
            entity.schema, rows, hidden_fields_for(actor, name), entity.model, native=True
        )

    return serialize


def _sync_entity(name: str) -> SyncEntity:
    entity = ENTITIES[name]

    def scope(actor: Actor) -> Any:
        return read_scope(actor, name)

    return SyncEntity(
        name=name,
        model=entity.model,
        schema=entity.schema,
        scope=scope,
        serialize=_serializer(name),
        merge=entity.merge_rules,
        append_only=entity.append_only,
    )


registry = Registry(
    [_sync_entity(name) for name in SYNC_ORDER],
    RecordWriter(),
    principal_id=lambda actor: actor.id,
    # An administrator sees every team's rows; everyone else only their own team's.
    partition_of=lambda actor: None if actor.role == "admin" else actor.team_id,
)

_hooks_installed = False


def init_sync(app: Flask) -> None:
    """Wire the sync engine to `app`: every session of the process (the app's, a script's, the
    scheduler's) stamps changes to synced rows into the feed, and visibility that follows other
    records (a participant moved, a job match's employer) reaches the devices. The session hooks
    are process-wide, so they are installed once however many apps are created."""
    global _hooks_installed
    if not _hooks_installed:
        for entity in registry.entities:
            feed.track(entity.model)
        feed.install(Session)
        event.listen(Session, "before_flush", job_matches_change_employers_seen)
        on_record_updated(participant_reassigned)
        _hooks_installed = True
    app.extensions["feltlogg_sync"] = registry
