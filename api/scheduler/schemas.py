"""Schemas of the notification preferences and of the scheduler's job runs."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import marshmallow as ma
from marshmallow import fields

from api.common.schema import Flag, Text, choice
from api.scheduler.jobs import JOB_NAMES
from api.scheduler.models import JOB_OUTCOMES
from api.scheduler.preferences import SETTABLE_KINDS

CLOCK_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
KIND_DESCRIPTIONS = {
    "meeting_reminder": "A meeting: the participant the evening before, the specialist an "
    "hour before.",
    "not_met_nudge": "Specialists: a participant not met for 14 days.",
    "weekly_contacts": "Specialists, Thursday noon: fewer than 6 face-to-face employer "
    "contacts this week.",
    "report_ready": "Supervisors, Monday morning: last week's report is ready.",
    "step_due": "A plan step due tomorrow, to whoever owns it.",
}


class ClockTime(Text):
    """A local time of day as HH:MM (24-hour)."""

    default_error_messages = {
        "clock": "Give a time of day as HH:MM, from 00:00 to 23:59, e.g. 20:00.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(CLOCK_PATTERN.strip("^$"), text):
            raise self.make_error("clock")
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value.hour:02d}:{value.minute:02d}"


class QuietHoursSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True

    start = ClockTime(
        required=True,
        metadata={
            "description": "When quiet hours begin, local time.",
            "pattern": CLOCK_PATTERN,
            "example": "20:00",
        },
    )
    end = ClockTime(
        required=True,
        metadata={
            "description": "When they end, local time (before start: they run past midnight).",
            "pattern": CLOCK_PATTERN,
            "example": "08:00",
        },
    )

    @ma.validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("start") is not None and data.get("start") == data.get("end"):
            raise ma.ValidationError(
                "Start and end are the same time; give two different times, or quiet_hours: "
                "null for none.",
                "end",
            )


class _KindsBase(ma.Schema):
    class Meta:
        unknown = ma.RAISE
        ordered = True

    error_messages = {
        "unknown": f"Not a kind of notification; the kinds are: {', '.join(SETTABLE_KINDS)}."
    }


# On (true) or off (false) per kind: one field per kind of api.push.payloads.
NotificationKindsSchema = _KindsBase.from_dict(
    {
        kind: Flag(metadata={"description": KIND_DESCRIPTIONS.get(kind, "")})
        for kind in SETTABLE_KINDS
    },
    name="NotificationKindsSchema",
)


class PushPreferencesSchema(ma.Schema):
    """Which notifications the user gets, and when not: during quiet hours a notification
    waits for their end (it is not dropped)."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    kinds = fields.Nested(
        NotificationKindsSchema,
        required=True,
        metadata={"description": "On or off per kind; a kind left out of a PUT is on."},
    )
    quiet_hours = fields.Nested(
        QuietHoursSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Null: no quiet hours. Default 20:00 to 08:00."},
    )
    time_zone = fields.String(
        dump_only=True,
        metadata={"description": "The zone quiet hours are in (the service's local time)."},
    )


class JobRunFilterSchema(ma.Schema):
    job = choice(JOB_NAMES, metadata={"description": "Only the runs of this job."})


class JobRunSchema(ma.Schema):
    class Meta:
        ordered = True

    id = fields.UUID(required=True)
    job = fields.String(required=True, metadata={"description": "The job's name."})
    scheduled_for = fields.AwareDateTime(
        required=True, metadata={"description": "The slot of the job's schedule it ran for."}
    )
    started_at = fields.AwareDateTime(required=True)
    finished_at = fields.AwareDateTime(required=True, allow_none=True)
    outcome = fields.String(
        required=True,
        metadata={"enum": list(JOB_OUTCOMES), "description": "running, ok or failed."},
    )
    detail = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "Counts, or the kind of error (the scheduler's log has more)."},
    )
    runner = fields.String(
        required=True, metadata={"description": "The process that ran it (host:pid)."}
    )
