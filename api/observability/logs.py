"""Logs: one line per event, JSON (for log shipping) or text (for a person at a terminal), each
carrying the id of the request it was written in.

The request id comes from a sane incoming `X-Request-ID` (a proxy in front sets one, so its log
and ours can be joined) or is made here; it is kept in a context variable, so every log line of
the request has it, whatever logger wrote it.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

import orjson
from flask.helpers import get_debug_flag

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may look like: a UUID, nginx's $request_id, a trace id. Anything else
# (too long, spaces, quotes, control characters) is replaced, never echoed into logs.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
LOG_FORMATS = ("json", "text")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is written
# out as a field of its own.
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


def request_id_from(incoming: str | None) -> str:
    """The incoming id if it is sane, else a new one (32 hex digits)."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Stamps every record with the id of the request being served (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request id, and the
    record's `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get() or "-"
        return super().format(record)


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `log_format` lines (json or text) to `stream` (stderr)."""
    if log_format not in LOG_FORMATS:
        raise RuntimeError(f"LOG_FORMAT must be json or text, got {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return handler


def configure_logging(overrides: Mapping[str, Any] | None = None) -> None:
    """Our handler on the root logger, unless logging is already set up by someone else (a
    test runner, a host's own configuration), as logging.basicConfig would leave it. Called
    again (another app in the same process), it switches the format.

    LOG_FORMAT (json or text; unset: json, text under `flask --debug` and for a TESTING app)
    and LOG_LEVEL (INFO) come from `overrides`, else the environment: the configuration is
    logged about while it is read, so this runs first."""
    settings = {**os.environ, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    log_format = str(settings.get("LOG_FORMAT") or "").strip().lower()
    if not log_format:
        log_format = "text" if settings.get("TESTING") or get_debug_flag() else "json"
    level = str(settings.get("LOG_LEVEL") or "INFO").upper()
    if level not in logging.getLevelNamesMapping():
        raise RuntimeError(f"LOG_LEVEL must be a level such as INFO or DEBUG, got {level!r}")
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "feltlogg", False)]
    if root.handlers and not ours:
        return
    handler = make_handler(log_format)
    handler.feltlogg = True  # type: ignore[attr-defined]
    for old in ours:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
