"""The pull cursor: opaque to clients, a position in the feed to the server."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass

# 3 added `first_sync`; a cursor of format 2 (held by a device since before) still reads.
CURSOR_FORMAT = 3


class CursorError(ValueError):
    pass


@dataclass(frozen=True)
class Position:
    """After the change (seq, entity index, id); `id` None means after all of that entity.

    `base` is the high-water mark when the device last had everything (or began a full sync):
    tombstones and resets at or below it concern nothing the device holds.

    `first_sync`: within a device's first sync, which hands out what existed at `base` one
    entity at a time, each in (seq, id) order: then the position is after (seq, id) in `entity`
    (or, with `id` None, at the start of `entity`).
    """

    seq: int
    entity: int
    id: uuid.UUID | None = None
    base: int = 0
    first_sync: bool = False

    def encode(self) -> str:
        raw = json.dumps(
            [
                CURSOR_FORMAT,
                self.seq,
                self.entity,
                str(self.id) if self.id else None,
                self.base,
                int(self.first_sync),
            ],
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            fmt, seq, entity, record_id, base, *rest = json.loads(raw)
            first_sync = rest == [1]
            numbers = (seq, entity, base)
            if (fmt, len(rest)) not in ((2, 0), (3, 1)) or rest not in ([], [0], [1]):
                raise ValueError
            if not all(type(n) is int and n >= 0 for n in numbers):
                raise ValueError
            return cls(seq, entity, uuid.UUID(record_id) if record_id else None, base, first_sync)
        except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CursorError(
                "This cursor was not made by this server: pull without a cursor to start over."
            ) from exc
