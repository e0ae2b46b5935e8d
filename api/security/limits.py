"""Rate limits (Flask-Limiter) on sign-in, token refresh and sync push.

Counted in Redis when REDIS_URL is set, else in this process's memory (then every gunicorn
worker counts on its own). Which routes are limited, by what and by whose key is ROUTE_LIMITS;
how much is configuration (`limits` strings such as "10 per minute"). Failed sign-ins have
their own growing delays, per account and address (api/security/lockout.py).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from api.extensions import problem

log = logging.getLogger(__name__)


def storage_uri(config: Mapping[str, Any]) -> str:
    return str(config.get("REDIS_URL") or "memory://")


def client_address() -> str:
    """The caller's address (the proxy's unless TRUSTED_PROXIES says how many to look past)."""
    return request.remote_addr or "unknown"


def signed_in_user() -> str:
    from api.access import current_actor

    return str(current_actor().id)


Key = Callable[[], str]

# endpoint -> (config name of the limit, scope, whose key). Nothing here counts sign-ins per
# account alone: such a limit would let anyone keep an account's owner out (docs/security.md).
ROUTE_LIMITS: dict[str, tuple[tuple[str, str, Key], ...]] = {
    "auth.login": (("RATELIMIT_LOGIN", "address", client_address),),
    "auth.refresh": (("RATELIMIT_REFRESH", "address", client_address),),
    # A one-time code is guessed no faster than a password.
    "auth.whose_password_link": (("RATELIMIT_LOGIN", "address", client_address),),
    "auth.set_password_with_a_link": (("RATELIMIT_LOGIN", "address", client_address),),
    "sync.push_route": (("RATELIMIT_SYNC_PUSH", "user", signed_in_user),),
    # Each test push makes the server connect to push services while a request waits.
    "push.send_test": (("RATELIMIT_PUSH_TEST", "user", signed_in_user),),
}


# Marks the client address that a key falls back to when it finds nothing to count by.
UNKEYED = "unkeyed"


def never_empty(key: Key) -> Key:
    """`key`, or the client address under the UNKEYED marker when `key` finds nothing.

    flask-limiter skips a limit whose key is empty (logging an error each time), which would
    turn the limit off for exactly the requests that lack what it counts by."""

    def keyed() -> str:
        return key() or f"{UNKEYED}/{client_address()}"

    return keyed


def wait_phrase(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


def too_many(seconds: int, detail: str) -> Response:
    """A 429 problem document with Retry-After in seconds."""
    response = problem(429, "Too Many Requests", detail)
    response.headers["Retry-After"] = str(seconds)
    return response


def init_limits(app: Flask) -> Limiter | None:
    """A limiter of this app's own (tests build apps with different limits side by side)."""
    config = app.config
    for name in {name for limits in ROUTE_LIMITS.values() for name, _, _ in limits}:
        try:
            parse_many(config.get(name) or "1 per second")
        except ValueError as exc:
            raise RuntimeError(
                f"{name} must read like '10 per minute', got {config.get(name)!r}"
            ) from exc
    if not config["RATELIMIT_ENABLED"]:
        return None
    if not config.get("REDIS_URL") and not config.get("TESTING"):
        log.warning(
            "REDIS_URL is not set: rate limits are counted in memory, per process "
            "(each gunicorn worker counts on its own)"
        )
    limiter = Limiter(
        client_address,
        storage_uri=storage_uri(config),
        key_prefix=config["RATELIMIT_KEY_PREFIX"],
        strategy=config.get("RATELIMIT_STRATEGY") or "fixed-window",
        # A storage that cannot be reached lets requests through (and logs why).
        swallow_errors=True,
        headers_enabled=False,
    )
    limiter.init_app(app)
    for endpoint, limits in ROUTE_LIMITS.items():
        if endpoint not in app.view_functions:
            raise RuntimeError(f"rate limit for {endpoint}, which is not a route")
        view: Any = app.view_functions[endpoint]
        for name, scope, key in limits:
            if config.get(name):
                view = limiter.limit(config[name], key_func=never_empty(key), scope=scope)(view)
        app.view_functions[endpoint] = view

    @app.errorhandler(RateLimitExceeded)
    def _too_many_requests(error: RateLimitExceeded) -> Response:
        current = limiter.current_limit
        seconds = max(1, math.ceil(current.window[0] - time.time())) if current else 60
        return too_many(seconds, f"Too many attempts; try again in {wait_phrase(seconds)}.")

    app.extensions["feltlogg_limiter"] = limiter
    return limiter
