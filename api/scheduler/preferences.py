"""Each user's notification preferences: which kinds they get, and their quiet hours."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from api.extensions import db
from api.push.payloads import KINDS
from api.scheduler.models import PushPreference

# The kinds a user chooses between (the test push is only ever asked for).
SETTABLE_KINDS = tuple(kind for kind in KINDS if kind != "test")
DEFAULT_QUIET_HOURS = (time(20, 0), time(8, 0))


@dataclass(frozen=True)
class Preferences:
    kinds_off: frozenset[str] = frozenset()
    quiet_hours: tuple[time, time] | None = DEFAULT_QUIET_HOURS

    def allows(self, kind: str) -> bool:
        return kind not in self.kinds_off

    def quiet_until(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When the quiet hours that `now` falls in end (UTC); None when `now` is not in them."""
        if self.quiet_hours is None:
            return None
        start, end = self.quiet_hours
        local = now.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        day = local.date()
        if start < end:
            if not start <= clock < end:
                return None
        elif end <= clock < start:
            return None
        elif clock >= start:  # the evening part of quiet hours that run past midnight
            day += timedelta(days=1)
        until = datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
        # A local time the clocks skip (spring) is read in the offset before the change.
        return max(until, now)

    def as_dict(self, zone: ZoneInfo) -> dict[str, object]:
        quiet = None
        if self.quiet_hours is not None:
            quiet = {"start": self.quiet_hours[0], "end": self.quiet_hours[1]}
        return {
            "kinds": {kind: self.allows(kind) for kind in SETTABLE_KINDS},
            "quiet_hours": quiet,
            "time_zone": zone.key,
        }


def _from_row(row: PushPreference | None) -> Preferences:
    if row is None:
        return Preferences()
    quiet = None
    if row.quiet_start is not None and row.quiet_end is not None:
        quiet = (row.quiet_start, row.quiet_end)
    return Preferences(frozenset(row.kinds_off or ()), quiet)


def preferences_of(user_id: uuid.UUID) -> Preferences:
    return _from_row(db.session.get(PushPreference, user_id))


def preferences_for(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
    """Each user's preferences (the defaults for users who never chose)."""
    ids = set(user_ids)
    rows = {
        row.user_id: row
        for row in db.session.scalars(select(PushPreference).where(PushPreference.user_id.in_(ids)))
    }
    return {user_id: _from_row(rows.get(user_id)) for user_id in ids}


def save_preferences(
    user_id: uuid.UUID, kinds: Mapping[str, bool], quiet_hours: tuple[time, time] | None
) -> Preferences:
    """Replace the user's preferences: kinds not named are on (the caller commits)."""
    unknown = set(kinds) - set(SETTABLE_KINDS)
    if unknown:
        raise ValueError(f"unknown kinds: {', '.join(sorted(unknown))}")
    row = db.session.get(PushPreference, user_id)
    if row is None:
        row = PushPreference(user_id=user_id)
        db.session.add(row)
    row.kinds_off = sorted(kind for kind, on in kinds.items() if not on)
    row.quiet_start, row.quiet_end = quiet_hours if quiet_hours else (None, None)
    return _from_row(row)
