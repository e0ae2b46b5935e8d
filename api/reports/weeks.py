"""ISO-8601 weeks in local time (Europe/Oslo): what "uke 47" means, as instants in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """'2026-W47'; ValueError with what to fix otherwise."""
        match = WEEK_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r} is not an ISO week; write it like 2026-W47.")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {week}.") from None
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def shifted(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))

    def starts_at(self, zone: ZoneInfo) -> datetime:
        """Monday 00:00 local time, in UTC (a week across a DST change is 167 or 169 hours)."""
        return datetime.combine(self.monday, time(0), tzinfo=zone).astimezone(UTC)


def week_range(first: IsoWeek, last: IsoWeek) -> list[IsoWeek]:
    weeks, week = [], first
    while week <= last:
        weeks.append(week)
        week = week.shifted(1)
    return weeks
