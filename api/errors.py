"""Domain errors: what a rule refuses, said once, with a stable code.

Code below the routes (access rules, the write path, auth, security) raises DomainError; it never
builds an HTTP response. register_error_handlers() is the one place that turns a DomainError, and
the database's "you lost a race" errors, into application/problem+json. Sync push turns the same
errors into a `rejected` result for the one mutation (api/offline/setup.py). constraint_message()
says in words what a broken database constraint means.

`code` is stable and machine-readable: the app translates it (the English `detail` stays for API
clients and logs). Codes: docs/sync.md (push results) and docs/security.md (sign-in).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.extensions import code_for_status, db, problem, rest_api
from sync.push import is_transient

log = logging.getLogger(__name__)

CONCURRENT_WRITE = "Someone saved this record at the same moment: fetch it again and retry."


class DomainError(Exception):
    """A refusal with what to fix. `status` follows HTTP; `code` is stable for the app;
    `concurrent` marks a write that lost a race with another transaction and may simply be
    tried again; `headers` go on the response (Retry-After)."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: Mapping[str, Any] | None = None,
        *,
        code: str | None = None,
        concurrent: bool = False,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = dict(errors) if errors else None
        self.code = code or ("concurrent_write" if concurrent else code_for_status(status))
        self.concurrent = concurrent
        self.headers = dict(headers or {})


def problem_for(error: DomainError) -> Response:
    response = problem(
        error.status,
        _title(error.status),
        error.detail,
        errors=error.errors,
        code=error.code,
    )
    for name, value in error.headers.items():
        response.headers[name] = value
    if error.status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _title(status: int) -> str:
    """The status phrase as werkzeug's errors give it (the same on every Python version)."""
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Error")


def register_error_handlers(app: Flask) -> None:
    """DomainError and lost races as problem documents; anything else is a logged 500."""
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        db.session.rollback()
        return problem_for(error)

    def lost_race() -> Response:
        db.session.rollback()
        return problem_for(DomainError(409, CONCURRENT_WRITE, concurrent=True))

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError) -> Response:
        # Another transaction changed or removed a row between our read and our write.
        return lost_race()

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> Response:
        db.session.rollback()
        return problem_for(DomainError(409, constraint_message(error), code="constraint"))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        if isinstance(error, HTTPException):
            return rest_api.handle_http_exception(error)
        if is_transient(error):
            return lost_race()
        log.exception("Unhandled error")
        db.session.rollback()
        return problem(
            500,
            "Internal Server Error",
            "Something went wrong on our side; nothing was saved. Try again.",
            code="server_error",
        )


KNOWN_CONSTRAINTS = {
    "uq_employers_team_org_number_live": (
        "An employer with this organisation number already exists in your team."
    ),
    "uq_career_profiles_participant_id": "This participant already has a career profile.",
    "uq_week_reviews_specialist_week_live": "This week is already marked as reviewed.",
    "uq_participants_user_id": "This login already belongs to another participant.",
}


def constraint_message(exc: IntegrityError) -> str:
    text = str(exc.orig)
    for name, message in KNOWN_CONSTRAINTS.items():
        if name in text:
            return message
    if "UNIQUE" in text.upper():
        return "This conflicts with an existing record (a value that must be unique is taken)."
    if "FOREIGN KEY" in text.upper():
        return "A referenced record does not exist."
    return "The record breaks a rule of the database: check dates, ranges and required fields."
