"""The base of every entity schema, and field types that refuse what the database can't store."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

# Fields the current reader may not see (e.g. note text for a supervisor); set per request.
hidden_fields: ContextVar[frozenset[str]] = ContextVar("hidden_fields", default=frozenset())

INT32_MAX = 2**31 - 1

# The longest text the product takes, in characters, one limit per kind of text. Every schema
# names its limits from here, so REST, sync push and the OpenAPI document agree; no column of the
# database holds less (tests/test_limits.py checks it).
PERSON_NAME_MAX = 100  # a participant's first or last name
CATEGORY_MAX = 100  # an industry, a job type, a device label
TITLE_MAX = 200  # an employer's, team's or user's name; a job, goal or step title; a place
ADDRESS_MAX = 300
SHORT_NOTE_MAX = 500  # the outcome of an employer contact, a consent note
NOTE_MAX = 2000  # notes, agreed next steps, descriptions, comments
LONG_TEXT_MAX = 4000  # career profile texts, an employer's notes
PHONE_MAX = 30
EMAIL_MAX = 254  # RFC 5321
# Dates and times the product stores: wide enough for any real record, narrow enough that
# converting to local time or adding a week can never overflow Python's datetime.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


class Text(fields.String):
    """A string that PostgreSQL and SQLite can both store: no NUL characters, valid Unicode."""

    default_error_messages = {
        "nul": "Text may not contain NUL characters.",
        "unicode": "Text must be valid Unicode (this has a lone surrogate).",
        "too_long": "{field} may be at most {max} characters long; this is {length}.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise self.make_error("nul")
        try:
            result.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("unicode") from None
        limit = self.max_length
        if limit is not None and len(result) > limit:
            # Said here rather than by the Length validator, whose message names neither the
            # field nor how long the text is.
            name = self.data_key or self.name or "This text"
            raise self.make_error("too_long", field=name, max=limit, length=len(result))
        return result

    @property
    def max_length(self) -> int | None:
        """The limit of the field's Length validator (which the OpenAPI document shows)."""
        limits = [
            v.max for v in self.validators if isinstance(v, validate.Length) and v.max is not None
        ]
        return min(limits) if limits else None


def text(max_length: int, *, required: bool = False, min_length: int = 0, **kwargs: Any) -> Text:
    """A text field with a maximum length; required text must have a visible character."""
    validators: list[validate.Validator] = [validate.Length(min=min_length, max=max_length)]
    if required:
        validators.append(validate.Regexp(r"\s*\S", error="Must not be blank."))
    return Text(required=required, validate=validators, **kwargs)


def choice(values: Iterable[str], **kwargs: Any) -> fields.String:
    allowed = tuple(values)
    metadata = {"enum": list(allowed), **kwargs.pop("metadata", {})}
    return fields.String(
        validate=validate.OneOf(allowed, error=f"Must be one of: {', '.join(allowed)}."),
        metadata=metadata,
        **kwargs,
    )


def whole_number(minimum: int = 0, maximum: int = INT32_MAX, **kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)


class Number(fields.Float):
    """A JSON number: a string such as "12" or a boolean is refused, and so are NaN and ±∞."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """A JSON boolean: true or false, not "yes", "1" or 1."""

    default_error_messages = {"invalid": "Not a valid boolean: use true or false."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class AwareDateTime(fields.AwareDateTime):
    """ISO 8601 with an offset; a time without one is ambiguous and refused."""

    default_error_messages = {
        "invalid": "Not a valid time: use ISO 8601 with an offset, e.g. 2026-11-20T10:00:00+01:00.",
        "invalid_awareness": "Give the time with its UTC offset, e.g. 2026-11-20T10:00:00+01:00.",
        "out_of_range": f"Give a time between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        result: datetime = super()._deserialize(value, attr, data, **kwargs)
        try:  # 0001-01-01T00:00+01:00 is a valid string, but is before year 1 in UTC
            in_utc = result.astimezone(UTC)
        except OverflowError:
            raise self.make_error("out_of_range") from None
        if not EARLIEST_YEAR <= in_utc.year <= LATEST_YEAR:
            raise self.make_error("out_of_range")
        return result


class Date(fields.Date):
    default_error_messages = {
        "invalid": "Not a valid date: use a real date as YYYY-MM-DD.",
        "out_of_range": f"Give a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        result: date = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST_YEAR <= result.year <= LATEST_YEAR:
            raise self.make_error("out_of_range")
        return result


def aware_datetime(**kwargs: Any) -> AwareDateTime:
    return AwareDateTime(format="iso", **kwargs)


class EntitySchema(ma.Schema):
    """Fields every syncable entity has; the server owns all but `id`."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    id = fields.UUID()
    team_id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)
    deleted_at = fields.AwareDateTime(dump_only=True, allow_none=True)

    @ma.post_dump
    def _hide_fields(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        hidden = hidden_fields.get()
        for name in hidden & data.keys():
            data.pop(name)
        return data
