"""Configuration from the environment, with an embedded default that needs nothing set."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Europe/Oslo"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the common way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secrets(instance_path: Path) -> dict[str, str]:
    """Dev secrets generated once and kept in the instance folder (never used when set in env)."""
    path = instance_path / "secrets.json"
    if path.exists():
        return dict(json.loads(path.read_text()))
    instance_path.mkdir(parents=True, exist_ok=True)
    values = {"SECRET_KEY": secrets.token_urlsafe(48), "JWT_SECRET_KEY": secrets.token_urlsafe(48)}
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    log.warning(
        "Generated development secrets in %s (set SECRET_KEY and JWT_SECRET_KEY in production)",
        path,
    )
    return values


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a whole number, got {raw!r}") from exc


def load_config(
    instance_path: Path,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the Flask config: environment first, then the embedded defaults."""
    env = os.environ if env is None else env
    overrides = dict(overrides or {})
    config: dict[str, Any] = {}

    database_url = overrides.pop("DATABASE_URL", None) or env.get("DATABASE_URL")
    if database_url:
        config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(database_url)
    else:
        instance_path.mkdir(parents=True, exist_ok=True)
        db_file = instance_path / "feltlogg.db"
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
        log.warning("DATABASE_URL is not set: using the embedded SQLite database %s", db_file)

    needs_secrets = not (env.get("SECRET_KEY") and env.get("JWT_SECRET_KEY"))
    if needs_secrets and "SECRET_KEY" not in overrides:
        generated = instance_secrets(instance_path)
    else:
        generated = {}
    config["SECRET_KEY"] = env.get("SECRET_KEY") or generated.get("SECRET_KEY")
    config["JWT_SECRET_KEY"] = env.get("JWT_SECRET_KEY") or generated.get("JWT_SECRET_KEY")

    access_minutes = _int(env, "ACCESS_TOKEN_MINUTES", 15)
    refresh_days = _int(env, "REFRESH_TOKEN_DAYS", 30)
    config.update(
        FELTLOGG_TIMEZONE=env.get("FELTLOGG_TIMEZONE", DEFAULT_TIMEZONE),
        ACCESS_TOKEN_MINUTES=access_minutes,
        REFRESH_TOKEN_DAYS=refresh_days,
        MAX_CONTENT_LENGTH=_int(env, "MAX_CONTENT_LENGTH", 1024 * 1024),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        # flask-jwt-extended: tokens travel in the Authorization header only.
        JWT_TOKEN_LOCATION=["headers"],
        JWT_ALGORITHM="HS256",
        JWT_DECODE_ALGORITHMS=["HS256"],
        # flask-smorest and the OpenAPI document
        API_TITLE="Feltlogg API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL=env.get(
            "OPENAPI_SWAGGER_UI_URL", "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
        ),
    )
    config.update(overrides)
    return config
