"""Local time for the product: weeks and "today" are Europe/Oslo unless configured otherwise."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from api.common.model import utcnow

# Outside an app (a script, a unit test): the product's zone. In an app, FELTLOGG_TIMEZONE.
DEFAULT_TIMEZONE = "Europe/Oslo"


def local_zone() -> ZoneInfo:
    name = current_app.config["FELTLOGG_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return ZoneInfo(name)


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(local_zone()).date()
