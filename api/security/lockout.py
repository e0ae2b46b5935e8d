"""Lockout after repeated failed sign-ins: LOGIN_LOCKOUT failures (e.g. "5 per 15 minutes")
for one e-mail address lock it for LOGIN_LOCKOUT_MINUTES.

Counted per address whether or not an account has it, so the answer tells nobody which
addresses exist. Kept in the rate-limit storage (Redis when REDIS_URL is set, else memory);
nothing about it is written to the database. A storage that cannot be reached locks nobody.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import DomainError
from api.security.limits import account_key, storage_uri, wait_phrase

log = logging.getLogger(__name__)


@dataclass
class Lockout:
    storage: Storage
    failures: RateLimitItem
    lock_seconds: int
    prefix: str

    def _keys(self, email: str) -> tuple[str, str]:
        key = account_key(email)
        return f"{self.prefix}/lockout/{key}", f"{self.prefix}/failures/{key}"

    def seconds_left(self, email: str) -> int:
        lock, _ = self._keys(email)
        if self.storage.get(lock) <= 0:
            return 0
        return max(1, math.ceil(self.storage.get_expiry(lock) - time.time()))

    def failed(self, email: str) -> int:
        """Count a failure; the seconds the address is now locked for (0: not locked)."""
        lock, failures = self._keys(email)
        window = MovingWindowRateLimiter(self.storage)
        window.hit(self.failures, failures)
        if window.test(self.failures, failures):
            return 0
        window.clear(self.failures, failures)
        self.storage.incr(lock, self.lock_seconds)
        return self.lock_seconds

    def succeeded(self, email: str) -> None:
        _, failures = self._keys(email)
        MovingWindowRateLimiter(self.storage).clear(self.failures, failures)


def init_lockout(app: Flask) -> None:
    config = app.config
    if not config.get("LOGIN_LOCKOUT"):
        return
    try:
        failures = parse(config["LOGIN_LOCKOUT"])
    except ValueError as exc:
        raise RuntimeError(
            f"LOGIN_LOCKOUT must read like '5 per 15 minutes', got {config['LOGIN_LOCKOUT']!r}"
        ) from exc
    storage = storage_from_string(storage_uri(config))
    assert isinstance(storage, Storage) and isinstance(storage, MovingWindowSupport)
    app.extensions["feltlogg_lockout"] = Lockout(
        storage=storage,
        failures=failures,
        lock_seconds=int(config["LOGIN_LOCKOUT_MINUTES"]) * 60,
        prefix=config["RATELIMIT_KEY_PREFIX"],
    )


def _lockout() -> Lockout | None:
    return current_app.extensions.get("feltlogg_lockout")


def _refuse(seconds: int) -> None:
    raise DomainError(
        429,
        f"Too many failed sign-ins with this e-mail address; try again in {wait_phrase(seconds)}.",
        code="sign_in_locked",
        headers={"Retry-After": str(seconds)},
    )


def check_not_locked(email: str) -> None:
    """429 while the address is locked, before the password is even looked at."""
    lockout = _lockout()
    if lockout is None:
        return
    try:
        seconds = lockout.seconds_left(email)
    except Exception:
        log.exception("Lockout storage unreachable; not checking for a lockout")
        return
    if seconds:
        _refuse(seconds)


def sign_in_failed(email: str) -> None:
    """Count a failed sign-in; 429 at once when this one locks the address."""
    lockout = _lockout()
    if lockout is None:
        return
    try:
        seconds = lockout.failed(email)
    except Exception:
        log.exception("Lockout storage unreachable; failed sign-in not counted")
        return
    if seconds:
        _refuse(seconds)


def sign_in_succeeded(email: str) -> None:
    lockout = _lockout()
    if lockout is None:
        return
    try:
        lockout.succeeded(email)
    except Exception:
        log.exception("Lockout storage unreachable; failures not reset")
