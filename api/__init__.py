"""Feltlogg's API: create_app() builds the Flask app from the environment.

Where things live: each area of the product (participants, employers, activity, jobs, plans,
reviews, conflicts, teams, auth) is a package with models.py, schemas.py, rules.py and routes.py.
Who may see and change what is decided in api/access.py alone; every write goes through
api/common/records.py; the list of entities is api/entities.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, request, send_from_directory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import PathConverter

from api.compression import init_compression
from api.config import load_config
from api.errors import DomainError, register_error_handlers
from api.extensions import db, jwt, migrate, rest_api
from api.observability import init_observability
from api.observability.logs import configure_logging

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PWA_DIST = PROJECT_ROOT / "pwa" / "dist"
PWA_PLACEHOLDER = PROJECT_ROOT / "pwa" / "placeholder"
# Swagger UI for /api/docs, a pinned release kept in the repository (see its SOURCE.txt).
SWAGGER_UI = Path(__file__).resolve().parent / "static" / "swagger-ui"
SWAGGER_UI_FILES = frozenset(
    {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"}
)
# Routes under /api/v1 that check their own token, or need none.
OPEN_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.refresh",
        "auth.logout",
        "auth.whose_password_link",
        "auth.set_password_with_a_link",
    }
)


@event.listens_for(Engine, "connect")
def _sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite enforces foreign keys only when asked, per connection. WAL lets pulls read while
    a push writes."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] not in ("memory", "wal"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


# True while a request that may write is being served (set per request in create_app).
sqlite_writer: ContextVar[bool] = ContextVar("sqlite_writer", default=False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    """A transaction that reads and then writes must not start as a reader: two of them would
    each wait for the other to stop reading, and SQLite fails one at once ("database is
    locked") instead of waiting. So a request that may write begins with the write lock
    (BEGIN IMMEDIATE) and concurrent writers queue for up to busy_timeout. Everything else
    is left to the driver, which begins a transaction before the first write; under WAL
    reads never wait."""
    if connection.dialect.name == "sqlite" and sqlite_writer.get():
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory. `config` overrides what the environment says (tests use it)."""
    configure_logging(config)
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), static_folder=None)
    # Fields in the schema's order, unsorted: sorting every object of a full sync costs time.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.update(load_config(Path(app.instance_path), overrides=config))
    app.config["API_SPEC_OPTIONS"] = {
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
        "security": [{"bearerAuth": []}],
        "info": {
            "description": "Field log for IPS job specialists. Errors are "
            "application/problem+json (RFC 9457)."
        },
    }

    # First: its after_request hook then runs last, on the response as it leaves.
    init_observability(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    jwt.init_app(app)
    rest_api.init_app(app)

    from api.auth.tokens import register_token_callbacks

    register_token_callbacks(jwt)

    from api import health
    from api.activity.routes import blp as activity
    from api.audit.routes import blp as audit
    from api.auth.routes import blp as auth
    from api.conflicts.routes import blp as conflicts
    from api.employers.routes import blp as employers
    from api.jobs.routes import blp as jobs
    from api.offline.routes import blp as sync
    from api.participants.routes import blp as participants
    from api.plans.routes import blp as plans
    from api.push.routes import blp as push
    from api.reports.routes import blp as reports
    from api.reviews.routes import blp as reviews
    from api.rights.routes import blp as rights
    from api.scheduler.routes import blp as notifications
    from api.settings import blp as settings
    from api.teams.routes import blp as admin

    for blueprint in (
        auth,
        participants,
        employers,
        activity,
        jobs,
        plans,
        reviews,
        conflicts,
        admin,
        sync,
        reports,
        push,
        notifications,
        rights,
        audit,
        settings,
    ):
        rest_api.register_blueprint(blueprint)
    app.register_blueprint(health.blp)

    from api.access import current_actor
    from api.common.schema import hidden_fields

    @app.before_request
    def _nothing_hidden_until_access_says_so() -> None:
        # The context variables would otherwise carry the last request's setting in this thread.
        hidden_fields.set(frozenset())
        sqlite_writer.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _forget_hidden_fields(error: BaseException | None) -> None:
        # ...nor leak them into what the thread does next outside a request (CLI, scheduler).
        hidden_fields.set(frozenset())
        sqlite_writer.set(False)

    @app.before_request
    def _sign_in_before_anything_else() -> None:
        # Who is asking is settled before the body is read: an anonymous caller learns nothing
        # from validation errors.
        if (
            request.path.startswith("/api/v1/")
            and request.method != "OPTIONS"
            and request.endpoint is not None
            and request.endpoint not in OPEN_ENDPOINTS
        ):
            current_actor()

    register_error_handlers(app)

    from api.cli import ips

    app.cli.add_command(ips)

    _serve_app_shell(app)
    _serve_swagger_ui(app)
    init_compression(app)

    from api.security import init_security

    init_security(app)
    return app


class AppPathConverter(PathConverter):
    """A path outside /api/: the app's files never shadow an API route (so an unknown API
    path is a 404 and a wrong method a 405)."""

    regex = r"(?!api/)[^/].*?"


def _serve_app_shell(app: Flask) -> None:
    """The field app: the built bundle if there is one, else a placeholder page."""
    app.url_map.converters["app_path"] = AppPathConverter
    root = PWA_DIST if (PWA_DIST / "index.html").exists() else PWA_PLACEHOLDER

    @app.get("/")
    def index() -> Any:
        return _no_cache(send_from_directory(root, "index.html"))

    @app.get("/<app_path:filename>")
    def app_file(filename: str) -> Any:
        response = send_from_directory(root, filename)
        if filename.startswith("assets/"):
            # Vite puts a content hash in these names: a new build means new names.
            response.cache_control.no_cache = None  # send_file's default for files
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        else:
            # index.html, sw.js and the manifest must be fetched fresh, or an update would
            # wait for a cache to expire.
            _no_cache(response)
        if filename.endswith(".webmanifest"):
            response.mimetype = "application/manifest+json"
        return response


def _serve_swagger_ui(app: Flask) -> None:
    """The docs page's scripts and styles, from this server (OPENAPI_SWAGGER_UI_URL points
    here): the page makes no request to another host, and what it runs is the pinned copy."""

    @app.get("/api/docs/swagger-ui/<filename>")
    def swagger_ui_file(filename: str) -> Any:
        if filename not in SWAGGER_UI_FILES:
            raise DomainError(404, "No such file of the API docs page.")
        # Revalidated by ETag: a new pinned version has the same names.
        return _no_cache(send_from_directory(SWAGGER_UI, filename))


def _no_cache(response: Any) -> Any:
    response.cache_control.no_cache = True
    return response
