"""Configuration from the environment, with an embedded default that needs nothing set."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from api.common.time import DEFAULT_TIMEZONE
from api.push.endpoints import DEFAULT_PUSH_SERVICE_HOSTS

log = logging.getLogger(__name__)

DEFAULT_ALLOW = ("127.0.0.1", "::1")  # METRICS_ALLOW: loopback only


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


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be a number, got {raw!r}") from exc


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _on_unless_off(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() not in ("0", "false", "no", "off")


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma- or space-separated values."""
    return tuple(v.rstrip("/") for v in env.get(name, "").replace(",", " ").split() if v)


def engine_options(env: Mapping[str, str], database_uri: str) -> dict[str, Any]:
    """SQLAlchemy's pool: on PostgreSQL as many connections per process as it has threads
    serving requests (gunicorn's GUNICORN_THREADS), each holding one at a time; SQLite keeps
    SQLAlchemy's defaults."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    if database_uri.startswith("postgresql"):
        threads = _int(env, "GUNICORN_THREADS", 5)
        options["pool_size"] = _int(env, "DATABASE_POOL_SIZE", threads)
        options["max_overflow"] = _int(env, "DATABASE_MAX_OVERFLOW", 2)
    return options


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
        # A refresh token presented again this soon after its exchange gets the same new pair
        # (two parts of one app refreshing at once); later, a reuse ends the sign-in.
        REFRESH_REUSE_GRACE_SECONDS=_int(env, "REFRESH_REUSE_GRACE_SECONDS", 10),
        MAX_CONTENT_LENGTH=_int(env, "MAX_CONTENT_LENGTH", 1024 * 1024),
        # New passwords (api/auth/passwords.py): the shortest allowed, and how long a one-time
        # link to set one works.
        PASSWORD_MIN_LENGTH=_int(env, "PASSWORD_MIN_LENGTH", 15),
        PASSWORD_LINK_HOURS=_int(env, "PASSWORD_LINK_HOURS", 72),
        # How many days before it was logged a contact or meeting may have happened (0: any).
        ACTIVITY_MAX_DAYS_BACK=_int(env, "ACTIVITY_MAX_DAYS_BACK", 14),
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(env, config["SQLALCHEMY_DATABASE_URI"]),
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
        # Swagger UI's files: the pinned copy the app serves itself (api/static/swagger-ui).
        OPENAPI_SWAGGER_UI_URL=env.get("OPENAPI_SWAGGER_UI_URL", "/api/docs/swagger-ui/"),
        # Web push (api/push). Unset keys: generated once into VAPID_KEY_FILE (default
        # instance/vapid_private.pem); a TESTING app without either uses a throwaway key.
        VAPID_PRIVATE_KEY=env.get("VAPID_PRIVATE_KEY") or None,  # base64url raw, or PEM
        VAPID_PUBLIC_KEY=env.get("VAPID_PUBLIC_KEY") or None,  # checked against the private
        VAPID_SUBJECT=env.get("VAPID_SUBJECT") or None,  # mailto: or https: for push services
        VAPID_KEY_FILE=env.get("VAPID_KEY_FILE") or None,
        # The push services subscriptions may name (api/push/endpoints.py): host names, or
        # "*." and a domain for its subdomains; comma- or space-separated. Unset: the public
        # services of Chrome, Firefox, Safari and Edge.
        PUSH_SERVICE_HOSTS=(
            _list(env, "PUSH_SERVICE_HOSTS")
            if env.get("PUSH_SERVICE_HOSTS")
            else DEFAULT_PUSH_SERVICE_HOSTS
        ),
        # A push service on this machine too, http or https at 127.0.0.1 or localhost (for
        # development and the browser tests); TESTING allows it as well.
        PUSH_ALLOW_HTTP_LOCALHOST=_flag(env, "PUSH_ALLOW_HTTP_LOCALHOST"),
        # Subscriptions kept per user; a new one beyond this removes the least recent.
        PUSH_MAX_SUBSCRIPTIONS_PER_USER=_int(env, "PUSH_MAX_SUBSCRIPTIONS_PER_USER", 10),
        # Time-outs of one request to a push service: to connect, and for each read.
        PUSH_CONNECT_TIMEOUT_SECONDS=_float(env, "PUSH_CONNECT_TIMEOUT_SECONDS", 5.0),
        PUSH_TIMEOUT_SECONDS=_float(env, "PUSH_TIMEOUT_SECONDS", 10.0),
        # The test push (POST /api/v1/push/test) is over within this many seconds, retries
        # included: it holds a request thread.
        PUSH_TEST_DEADLINE_SECONDS=_float(env, "PUSH_TEST_DEADLINE_SECONDS", 10.0),
        # Attempts per message (the first included) for 429, 5xx and network errors; the waits
        # double from the base, and a Retry-After longer than the maximum ends the attempts.
        PUSH_ATTEMPTS=_int(env, "PUSH_ATTEMPTS", 3),
        PUSH_RETRY_BASE_SECONDS=_float(env, "PUSH_RETRY_BASE_SECONDS", 0.5),
        PUSH_RETRY_MAX_SECONDS=_float(env, "PUSH_RETRY_MAX_SECONDS", 10.0),
        # The scheduler (`flask ips scheduler`): the nightly purge keeps sync tombstones this
        # many days (devices with older cursors start over), and notifications and job runs
        # that are done with this many.
        SYNC_TOMBSTONE_DAYS=_int(env, "SYNC_TOMBSTONE_DAYS", 180),
        SCHEDULER_HISTORY_DAYS=_int(env, "SCHEDULER_HISTORY_DAYS", 30),
        # Audit entries older than this many days go nightly; 0 keeps them for ever. The
        # default and why: docs/privacy.md.
        AUDIT_RETENTION_DAYS=_int(env, "AUDIT_RETENTION_DAYS", 1826),
        # A job run still "running" after this long belonged to a process that died: another
        # scheduler takes its slot over. Far longer than any job's normal run.
        SCHEDULER_RUN_TIMEOUT_MINUTES=_int(env, "SCHEDULER_RUN_TIMEOUT_MINUTES", 60),
    )
    # Protection (api/security, docs/security.md). Limits read like "10 per minute"; an empty
    # one is off. Counted in Redis when REDIS_URL is set, else in memory per process.
    config.update(
        REDIS_URL=env.get("REDIS_URL") or None,
        RATELIMIT_ENABLED=_on_unless_off(env, "RATELIMIT_ENABLED"),
        RATELIMIT_KEY_PREFIX=env.get("RATELIMIT_KEY_PREFIX") or "feltlogg",
        RATELIMIT_LOGIN=env.get("RATELIMIT_LOGIN", "20 per minute"),  # per client address
        RATELIMIT_REFRESH=env.get("RATELIMIT_REFRESH", "60 per minute"),  # per client address
        RATELIMIT_SYNC_PUSH=env.get("RATELIMIT_SYNC_PUSH", "120 per minute"),  # per user
        RATELIMIT_PUSH_TEST=env.get("RATELIMIT_PUSH_TEST", "6 per minute"),  # per user
        # Failed sign-ins per e-mail address and client address: this many are free, then
        # each further one locks that pair twice as long as the last, from 1 minute up to
        # LOGIN_LOCKOUT_MINUTES.
        LOGIN_LOCKOUT=env.get("LOGIN_LOCKOUT", "5 per 15 minutes"),
        LOGIN_LOCKOUT_MINUTES=_int(env, "LOGIN_LOCKOUT_MINUTES", 15),
        CORS_ORIGINS=_list(env, "CORS_ORIGINS"),
        # Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (0: trust none).
        TRUSTED_PROXIES=_int(env, "TRUSTED_PROXIES", 0),
        PREFERRED_URL_SCHEME=env.get("PREFERRED_URL_SCHEME") or "http",
    )
    # Metrics (api/observability/metrics.py, docs/deploy.md). LOG_FORMAT and LOG_LEVEL are
    # read before this, by api/observability/logs.py: the lines above are logged already.
    config.update(
        METRICS_ENABLED=_on_unless_off(env, "METRICS_ENABLED"),
        # Who may read /metrics without a token: addresses or networks, comma-separated.
        METRICS_ALLOW=_list(env, "METRICS_ALLOW") if env.get("METRICS_ALLOW") else DEFAULT_ALLOW,
        METRICS_TOKEN=env.get("METRICS_TOKEN") or None,
    )
    config.update(overrides)
    if config.get("TESTING"):
        # The suite signs in hundreds of times from one address: tests that want limits or
        # the lockout turn them on.
        if "RATELIMIT_ENABLED" not in overrides:
            config["RATELIMIT_ENABLED"] = False
        if "LOGIN_LOCKOUT" not in overrides:
            config["LOGIN_LOCKOUT"] = ""
        # The suite's records happen on fixed dates, which grow old: tests of the bound set it.
        if "ACTIVITY_MAX_DAYS_BACK" not in overrides:
            config["ACTIVITY_MAX_DAYS_BACK"] = 0
    return config
