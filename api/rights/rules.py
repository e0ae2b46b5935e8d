"""What erasure means for later writes: an erased participant stays erased."""

from __future__ import annotations

from datetime import datetime

from api.common.time import local_zone


def write_refusal_after_erasure(erased_at: datetime | None) -> str | None:
    """Why a write to a participant, or to a record of theirs, is refused once they were erased
    (None: they were not). A phone that was offline at the erasure may still push edits with
    the old text; saving any of them would bring erased data back."""
    if erased_at is None:
        return None
    day = erased_at.astimezone(local_zone()).date().isoformat()
    return f"This participant's data was erased on {day}; the change was not saved."
