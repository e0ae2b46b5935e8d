"""What a push message says: a kind, a record id and a fixed bokmål text, nothing personal.

Messages travel through third-party push services (docs/domain.md, privacy), so a payload never
carries names or note text. The builders take no text at all: only a kind from the catalogue
below and a record's UUID, or for a few kinds a whole number that the fixed text says. The app
opens the record by its id and shows the details from its own database, behind the user's
sign-in.
"""

from __future__ import annotations

import uuid
from typing import Any

TITLE = "Feltlogg"
# kind -> the notification's body. Generic on purpose: no names, no times, no places.
BODIES: dict[str, str] = {
    "test": "Testvarsel fra Feltlogg",
    "meeting_reminder": "Du har et møte snart.",
    "not_met_nudge": "Det er en stund siden du møtte en av deltakerne dine.",
    "weekly_contacts": "Husk å føre ukens arbeidsgiverkontakter.",
    "report_ready": "En ny rapport er klar.",
    "step_due": "Et steg i planen har frist snart.",
}
KINDS = tuple(BODIES)
# The face-to-face employer contacts a specialist aims for each week (IPS fidelity: 6 or more).
WEEKLY_CONTACT_TARGET = 6
# Kinds whose text may say a count instead: a number of the user's own records is not personal
# data, and it is the only thing that can be filled in.
COUNT_BODIES: dict[str, str] = {
    "weekly_contacts": "Du har {count} av "
    + str(WEEKLY_CONTACT_TARGET)
    + " arbeidsgiverkontakter ansikt til ansikt denne uken.",
}
MAX_COUNT = 999


def build_payload(kind: str, record_id: uuid.UUID | None = None) -> dict[str, Any]:
    """The message for `kind` about the record `record_id` (None for none)."""
    if kind not in BODIES:
        raise ValueError(f"unknown push kind {kind!r}; one of {', '.join(KINDS)}")
    if record_id is not None and not isinstance(record_id, uuid.UUID):
        # A string could be anything, a name included; a UUID is only an id.
        raise TypeError("record_id must be a uuid.UUID or None")
    return {
        "kind": kind,
        "id": str(record_id) if record_id is not None else None,
        "title": TITLE,
        "body": BODIES[kind],
    }


def build_count_payload(kind: str, count: int) -> dict[str, Any]:
    """The message for `kind` with a count in its fixed text (e.g. 4 of 6 contacts); no id."""
    if kind not in COUNT_BODIES:
        raise ValueError(
            f"push kind {kind!r} has no text with a count; one of {', '.join(COUNT_BODIES)}"
        )
    if type(count) is not int:
        # Only a whole number can be filled in: nothing else could carry a name.
        raise TypeError("count must be an int")
    if not 0 <= count <= MAX_COUNT:
        raise ValueError(f"count must be between 0 and {MAX_COUNT}")
    return {
        "kind": kind,
        "id": None,
        "title": TITLE,
        "body": COUNT_BODIES[kind].format(count=count),
    }
