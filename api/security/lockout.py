"""Growing delays after failed sign-ins, counted per e-mail address *and* client address.

A lock keyed on the account alone lets anyone who knows an e-mail address keep its owner out
by failing on purpose (OWASP, Authentication Cheat Sheet: prefer growing delays to hard
lockout). So the first LOGIN_LOCKOUT failures (e.g. "5 per 15 minutes", a moving window) of
one e-mail address from one client address are free; after them each failure locks that pair
for twice as long as the last (1 minute, 2, 4, ...), at most LOGIN_LOCKOUT_MINUTES. A success
clears the pair. Whoever fails from elsewhere slows only themself: the owner's address is
another pair.

Counted whether or not an account has the e-mail address, so the answers tell nobody which
exist. Kept in the rate-limit storage (Redis when REDIS_URL is set, else memory) under keyed
hashes of both addresses; nothing about it is written to the database. A storage that cannot
be reached locks nobody (and the error is logged).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass
from typing import NamedTuple

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import MovingWindowSupport, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from api.errors import DomainError
from api.security.limits import storage_uri, wait_phrase

log = logging.getLogger(__name__)

FIRST_DELAY_SECONDS = 60
# Doubling stops mattering long before this; it only keeps the arithmetic small for a pair
# that keeps failing for days.
_MAX_DOUBLINGS = 32


class PairKeys(NamedTuple):
    lock: str  # present while the pair is locked; expires when the lock ends
    failures: str  # the free failures (moving window)
    delays: str  # how many locks the pair has had since it was last forgiven


@dataclass
class Lockout:
    storage: Storage
    free: RateLimitItem
    max_delay: int
    prefix: str
    secret: bytes
    first_delay: int = FIRST_DELAY_SECONDS

    def _hash(self, text: str) -> str:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).hexdigest()[:32]

    def keys(self, email: str, address: str) -> PairKeys:
        """Storage keys of one (e-mail address, client address) pair: hashes only, so neither
        address is written to the storage."""
        pair = f"{self.prefix}/sign-in/{self._hash(email.strip().lower())}/{self._hash(address)}"
        return PairKeys(f"{pair}/lock", f"{pair}/failures", f"{pair}/delays")

    def delay(self, n: int) -> int:
        """Seconds of a pair's n-th lock (from 1)."""
        return min(self.max_delay, self.first_delay * 2 ** min(n - 1, _MAX_DOUBLINGS))

    def seconds_left(self, email: str, address: str) -> int:
        lock = self.keys(email, address).lock
        if self.storage.get(lock) <= 0:
            return 0
        return max(1, math.ceil(self.storage.get_expiry(lock) - time.time()))

    def failed(self, email: str, address: str) -> int:
        """Count a failure; the seconds the pair is now locked for (0: not locked)."""
        keys = self.keys(email, address)
        delays = self.storage.get(keys.delays)
        # A pair that has been locked gets no free failures until it is forgiven.
        if not delays and MovingWindowRateLimiter(self.storage).hit(self.free, keys.failures):
            return 0
        n = delays + 1
        seconds = self.delay(n)
        # Remembered for a whole window after this lock ends, so that the next failure waits
        # twice as long; a pair quiet for that long starts again with its free failures.
        # Read, clear and write are not atomic: two failures of one pair at the same instant may
        # both be the n-th, which spares an attacker one doubling at most.
        self.storage.clear(keys.delays)
        self.storage.incr(keys.delays, seconds + self.free.get_expiry(), amount=n)
        self.storage.clear(keys.lock)
        self.storage.incr(keys.lock, seconds)
        return seconds

    def succeeded(self, email: str, address: str) -> None:
        keys = self.keys(email, address)
        MovingWindowRateLimiter(self.storage).clear(self.free, keys.failures)
        self.storage.clear(keys.delays)
        self.storage.clear(keys.lock)


def init_lockout(app: Flask) -> None:
    config = app.config
    if not config.get("LOGIN_LOCKOUT"):
        return
    try:
        free = parse(config["LOGIN_LOCKOUT"])
    except ValueError as exc:
        raise RuntimeError(
            f"LOGIN_LOCKOUT must read like '5 per 15 minutes', got {config['LOGIN_LOCKOUT']!r}"
        ) from exc
    max_minutes = int(config["LOGIN_LOCKOUT_MINUTES"])
    if max_minutes < 1:
        raise RuntimeError(f"LOGIN_LOCKOUT_MINUTES must be at least 1, got {max_minutes}")
    storage = storage_from_string(storage_uri(config))
    assert isinstance(storage, Storage) and isinstance(storage, MovingWindowSupport)
    app.extensions["feltlogg_lockout"] = Lockout(
        storage=storage,
        free=free,
        max_delay=max_minutes * 60,
        prefix=config["RATELIMIT_KEY_PREFIX"],
        secret=str(config["SECRET_KEY"]).encode(),
    )


def _lockout() -> Lockout | None:
    return current_app.extensions.get("feltlogg_lockout")


def _refuse(seconds: int) -> None:
    # The same words whether or not an account has the address.
    raise DomainError(
        429,
        "Too many failed sign-ins with this e-mail address from this network; "
        f"try again in {wait_phrase(seconds)}.",
        code="sign_in_locked",
        headers={"Retry-After": str(seconds)},
    )


def check_not_locked(email: str, address: str) -> None:
    """429 while the pair is locked, before the password is even looked at."""
    lockout = _lockout()
    if lockout is None:
        return
    try:
        seconds = lockout.seconds_left(email, address)
    except Exception:
        log.exception("Lockout storage unreachable; not checking for a lockout")
        return
    if seconds:
        _refuse(seconds)


def sign_in_failed(email: str, address: str) -> None:
    """Count a failed sign-in; 429 at once when this one locks the pair."""
    lockout = _lockout()
    if lockout is None:
        return
    try:
        seconds = lockout.failed(email, address)
    except Exception:
        log.exception("Lockout storage unreachable; failed sign-in not counted")
        return
    if seconds:
        _refuse(seconds)


def sign_in_succeeded(email: str, address: str) -> None:
    """Forget the pair's failures and delays: the person at this address knows the password."""
    lockout = _lockout()
    if lockout is None:
        return
    try:
        lockout.succeeded(email, address)
    except Exception:
        log.exception("Lockout storage unreachable; failures not reset")
