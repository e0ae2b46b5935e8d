"""The pull cursor: opaque to clients, a position in the feed to the server."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass

CURSOR_FORMAT = 1


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Position:
    """After the change (seq, entity index, id). `id` None means after all of that entity."""

    seq: int
    entity: int
    id: uuid.UUID | None = None

    def encode(self) -> str:
        raw = json.dumps([CURSOR_FORMAT, self.seq, self.entity,
                          str(self.id) if self.id else None], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            fmt, seq, entity, record_id = json.loads(raw)
            if fmt != CURSOR_FORMAT or not isinstance(seq, int) or not isinstance(entity, int):
                raise ValueError
            if seq < 0 or entity < 0:
                raise ValueError
            return cls(seq, entity, uuid.UUID(record_id) if record_id else None)
        except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadCursor("This cursor was not made by this server: pull without a cursor "
                            "to start over.") from exc
