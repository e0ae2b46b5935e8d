"""The audit log: who read or changed which participant's data, when, and why they were allowed.

Importing this package makes the log the journal of the write path and the REST routes
(api.common.journal).
"""

from __future__ import annotations

import uuid
from typing import Any

from api.access import Actor
from api.audit.service import (
    access_entries,
    entries_for,
    note_reads,
    participants_of_records,
    record_access,
)
from api.common.journal import Journal, set_journal


def _read(actor: Actor, entity: str, rows: list[Any]) -> None:
    note_reads(access_entries(actor, "read", entity, rows))


def _wrote(actor: Actor, action: str, entity: str, records: list[Any]) -> None:
    record_access(access_entries(actor, action, entity, records))


def _changed(actor: Actor, entity: str, record: Any, moved_from: uuid.UUID | None) -> None:
    touched = participants_of_records(entity, [record])
    if moved_from is not None:
        touched.append((record.id, moved_from))
    record_access(entries_for(actor, "update", entity, touched))


set_journal(Journal(read=_read, wrote=_wrote, changed=_changed))
