"""Flask extensions, created here unbound and bound to the app in create_app()."""

from __future__ import annotations

import http
from typing import Any, NoReturn

import marshmallow as ma
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Response, jsonify
from flask_jwt_extended import JWTManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_smorest import abort as smorest_abort
from flask_smorest.utils import prepare_response
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase
from werkzeug.exceptions import HTTPException

# Stable constraint names, so migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The code an error gets when nothing more precise is said, by HTTP status.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "version_mismatch",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    426: "update_required",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def code_for_status(status: int) -> str:
    return STATUS_CODES.get(status, "server_error" if status >= 500 else "bad_request")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """An RFC 9457 problem document, with the stable `code` the app translates."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": extra.pop("code", None) or code_for_status(status),
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


DEFAULT_DETAILS = {
    400: "The request could not be read. Send a JSON body that matches the documented schema.",
    401: "Sign in again: the token is missing, expired or revoked.",
    403: "Your role does not allow this.",
    404: "There is nothing here, or you may not see it.",
    405: "This method is not allowed on this path.",
    409: "The record changed on the server; fetch it again and retry.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields are not valid; see 'errors' for what to fix.",
    429: "Too many requests; wait a moment and try again.",
}


class ProblemSchema(ma.Schema):
    """The error body (RFC 9457); documents what problem() writes."""

    class Meta:
        unknown = ma.INCLUDE  # problem types may add members

    type = ma.fields.String(required=True, metadata={"description": "Always about:blank for now."})
    title = ma.fields.String(required=True, metadata={"description": "The HTTP status phrase."})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = ma.fields.String(
        required=True, metadata={"description": "What went wrong, for a person (in English)."}
    )
    code = ma.fields.String(
        required=True,
        metadata={
            "description": "What went wrong, as a stable code for programs and translations "
            "(e.g. invalid, not_found, field_not_writable)."
        },
    )
    errors = ma.fields.Dict(
        metadata={"description": "For validation: field name -> what is wrong with it."}
    )


# Python 3.13 renamed a few HTTP statuses (422 is "Unprocessable Content" there). The OpenAPI
# document keeps the names every earlier version gives, so that it and the app's types generated
# from it do not change with the interpreter.
LONGSTANDING_STATUS_NAMES = {
    413: ("REQUEST_ENTITY_TOO_LARGE", "Request Entity Too Large"),
    414: ("REQUEST_URI_TOO_LONG", "Request-URI Too Long"),
    416: ("REQUESTED_RANGE_NOT_SATISFIABLE", "Requested Range Not Satisfiable"),
    422: ("UNPROCESSABLE_ENTITY", "Unprocessable Entity"),
}


def _status_renames() -> dict[str, str]:
    renames: dict[str, str] = {}
    for code, (name, phrase) in LONGSTANDING_STATUS_NAMES.items():
        status = http.HTTPStatus(code)
        if status.name != name:
            renames[status.name] = name
            renames[f"#/components/responses/{status.name}"] = f"#/components/responses/{name}"
        if status.phrase != phrase:
            renames[status.phrase] = phrase
    return renames


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {renames.get(k, k): _renamed(v, renames) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    return renames.get(value, value) if isinstance(value, str) else value


class ProblemApi(Api):
    """flask-smorest's Api, answering errors as application/problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        super()._init_spec(*args, **kwargs)
        renames = _status_renames()
        if renames:
            whole = self.spec.to_dict
            self.spec.to_dict = lambda: _renamed(whole(), renames)

    def _register_responses(self) -> None:
        """Document every error response as the application/problem+json that it is."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Any:
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("errors") or data.get("messages")
        detail = data.get("message") or (
            error.description
            if error.description and not _is_default_description(error)
            else DEFAULT_DETAILS.get(code, error.name)
        )
        if isinstance(errors, dict) and set(errors) <= {
            "json",
            "query",
            "path",
            "headers",
            "form",
            "files",
        }:
            # webargs nests errors by location; one location is the common case
            inner = errors.get("json") or errors.get("query") or errors.get("path")
            # keep the location when its errors are not per field (e.g. "Invalid JSON body.")
            errors = inner if isinstance(inner, dict) else errors
        if errors is not None and not isinstance(errors, dict):
            errors = {"_schema": errors}
        response = problem(code, error.name, detail, errors=errors, code=data.get("code"))
        for key, value in (data.get("headers") or {}).items():
            response.headers[key] = value
        if getattr(error, "www_authenticate", None) is not None and code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response


def abort(status: int, message: str, errors: Any = None, **kwargs: Any) -> NoReturn:
    """End the request with a problem document (flask-smorest's abort, typed as not returning)."""
    smorest_abort(status, message=message, errors=errors, **kwargs)
    raise AssertionError("unreachable")


def _is_default_description(error: HTTPException) -> bool:
    return error.description == type(error).description


def schema_name(schema: Any) -> str:
    """OpenAPI component names: `Employer`, `EmployerPatch` for the partial update body, and
    `PlanStepRead` for answers that may leave out some required fields (api.common.crud)."""
    cls = resolve_schema_cls(schema)
    assert not isinstance(cls, list)
    name = cls.__name__.removesuffix("Schema")
    if isinstance(schema, ma.Schema) and schema.partial is True:
        name += "Patch"
    elif isinstance(schema, ma.Schema) and schema.partial:
        name += "Read"
    return str(name)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
jwt = JWTManager()
rest_api = ProblemApi(
    spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)}
)
