"""Feltlogg's API: create_app() builds the Flask app from the environment, in register_* steps.

Where things live: each area of the product (participants, employers, activity, jobs, plans,
reviews, conflicts, teams, auth) is a package with models.py, schemas.py, rules.py and routes.py,
and declares its entities in its __init__.py; the areas that do are found, not listed
(api.areas). Who may see and change what is decided through api/access.py alone; every write
goes through api/common/records.py; the sync engine is wired in by api.offline.setup.init_sync.
docs/development.md has the map and the import contracts."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request, send_from_directory
from werkzeug.routing import PathConverter

from api.compression import init_compression
from api.config import load_config
from api.errors import DomainError, register_error_handlers
from api.extensions import db, jwt, migrate, rest_api
from api.observability import init_observability
from api.observability.logs import configure_logging
from api.sqlite import sqlite_writer

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
API_SPEC_OPTIONS = {
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


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The app factory. `config` overrides what the environment says (tests use it)."""
    configure_logging(config)
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"), static_folder=None)
    # Fields in the schema's order, unsorted: sorting every object of a full sync costs time.
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.update(load_config(Path(app.instance_path), overrides=config))
    app.config["API_SPEC_OPTIONS"] = copy.deepcopy(API_SPEC_OPTIONS)

    # First: its after_request hook then runs last, on the response as it leaves.
    init_observability(app)
    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_cli(app)
    register_app_files(app)
    init_compression(app)
    register_security(app)
    return app


def register_extensions(app: Flask) -> None:
    """The database, migrations, tokens, the REST API and the sync engine."""
    # The areas are imported when an app is made, not with this package: `import api.x`
    # must not load every area.
    from api.auth.tokens import register_token_callbacks
    from api.offline.setup import init_sync

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    jwt.init_app(app)
    rest_api.init_app(app)
    register_token_callbacks(jwt)
    init_sync(app)


def register_blueprints(app: Flask) -> None:
    """Every area's routes under /api/v1, and the health checks. The areas that declare
    entities are found (api.areas), not listed here."""
    from api import health
    from api.areas import entity_blueprints
    from api.audit.routes import blp as audit
    from api.auth.routes import blp as auth
    from api.offline.routes import blp as sync
    from api.push.routes import blp as push
    from api.reports.routes import blp as reports
    from api.rights.routes import blp as rights
    from api.scheduler.routes import blp as notifications
    from api.settings import blp as settings
    from api.teams.routes import blp as admin

    for blueprint in (
        auth,
        *entity_blueprints(),
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


def register_request_hooks(app: Flask) -> None:
    """Per request: nothing hidden and no SQLite write lock until said otherwise, and the caller
    signed in before anything else."""
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


def register_cli(app: Flask) -> None:
    """`flask ips ...`: seed, purge, the scheduler."""
    from api.cli import ips

    app.cli.add_command(ips)


def register_security(app: Flask) -> None:
    """Security headers, rate limits and sign-in lockout (api.security)."""
    from api.security import init_security

    init_security(app)


def register_app_files(app: Flask) -> None:
    """The field app at / and the API docs page's own files."""
    _serve_app_shell(app)
    _serve_swagger_ui(app)


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
