"""The base of every entity schema, and field types that refuse what the database can't store."""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

# Fields the current reader may not see (e.g. note text for a supervisor); set per request.
hidden_fields: ContextVar[frozenset[str]] = ContextVar("hidden_fields", default=frozenset())

INT32_MAX = 2**31 - 1


class Text(fields.String):
    """A string that PostgreSQL and SQLite can both store: no NUL characters."""

    default_error_messages = {"nul": "Text may not contain NUL characters."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in result:
            raise self.make_error("nul")
        return result


def text(max_length: int, *, required: bool = False, min_length: int = 0, **kwargs: Any) -> Text:
    """A text field with a maximum length; required text must have a visible character."""
    validators = [validate.Length(min=min_length, max=max_length)]
    if required:
        validators.append(validate.Regexp(r"\S", error="Must not be blank."))
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
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum),
                          **kwargs)


class AwareDateTime(fields.AwareDateTime):
    """ISO 8601 with an offset; a time without one is ambiguous and refused."""

    default_error_messages = {
        "invalid": "Not a valid time: use ISO 8601 with an offset, e.g. 2026-11-20T10:00:00+01:00.",
        "invalid_awareness": "Give the time with its UTC offset, e.g. 2026-11-20T10:00:00+01:00.",
    }


class Date(fields.Date):
    default_error_messages = {"invalid": "Not a valid date: use a real date as YYYY-MM-DD."}


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
