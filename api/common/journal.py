"""Who read or changed a participant's data: the write path and the REST routes report here.

The audit log (api.audit) is the journal; it registers itself when its package is imported
(set_journal). Reading or writing participants' data with no journal is refused outright: the
log must never miss an entry silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.access import Actor


@dataclass(frozen=True)
class Journal:
    # read(actor, entity, rows): rows of `entity` about to be sent to `actor`.
    read: Callable[[Actor, str, list[Any]], None]
    # wrote(actor, action, entity, records): records created or deleted, in the transaction.
    wrote: Callable[[Actor, str, str, list[Any]], None]
    # changed(actor, entity, record, moved_from): one record changed; `moved_from` names the
    # participant it belonged to before, when the change moved it to another one.
    changed: Callable[[Actor, str, Any, uuid.UUID | None], None]


_journal: Journal | None = None


def set_journal(journal: Journal) -> None:
    global _journal
    _journal = journal


def journal() -> Journal:
    if _journal is None:
        raise RuntimeError("No audit journal: import api.audit (create_app does).")
    return _journal
