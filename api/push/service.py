"""Web push: keeping the browsers' subscriptions, and sending them messages, encrypted
(aes128gcm), signed (VAPID) and retried when that helps.

The scheduler sends reminders with `send()` or `send_to_user()`; a request does so only for the
explicit test push (docs/architecture.md), bounded by a deadline. What a push service answers is
kept on the subscription: a 404 or 410 means the browser dropped it, so it is deleted.

Only known push services at public addresses are sent to (api/push/endpoints.py, checked when
subscribing and again on every connection), and each subscription's result is a stable code and
a fixed sentence: nothing a push service says, and no exception's text, reaches a response.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from py_vapid import VapidException
from pywebpush import WebPusher, WebPushException
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.common.model import utcnow
from api.errors import DomainError
from api.extensions import db
from api.observability import metrics
from api.push.endpoints import (
    UNRESOLVED,
    EndpointPolicy,
    EndpointRefusedError,
    current_policy,
    push_session,
)
from api.push.keys import VapidKeys, vapid_keys
from api.push.models import PushSubscription

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 6 * 3600  # how long a push service keeps a message for an offline phone
VAPID_LIFETIME_SECONDS = 12 * 3600  # the JWT's exp; push services refuse more than 24 h
DEFAULT_PORTS = {"https": 443, "http": 80}

# What became of a message to one subscription: a stable code, and the `outcome` it counts as
# (delivered, gone, or failed for every other code).
CODES = (
    "delivered",  # the push service took it (2xx)
    "gone",  # 404 or 410: the browser dropped the subscription, which is deleted
    "refused",  # any other 4xx (a redirect too): the push service will not take it
    "rate_limited",  # 429, still after the attempts or with a wait longer than allowed
    "service_error",  # 5xx, still after the attempts
    "unreachable",  # no answer: the name did not resolve, no connection, or a time-out
    "blocked",  # not a known push service, or not at a public address: nothing was sent
    "bad_keys",  # the subscription's keys cannot encrypt a message
    "signing_failed",  # the VAPID signature could not be made for this push service
    "not_tried",  # the test push ran out of time before this subscription
)
REASONS = {
    "gone": "The browser no longer has this subscription; it was removed.",
    "unreachable": "Could not reach the push service.",
    "blocked": (
        "Not sent: the endpoint is not a known push service's, or its address is not public."
    ),
    "bad_keys": "The subscription's keys are not usable; turn notifications on again there.",
    "signing_failed": "Could not sign the message for this push service (VAPID).",
    "not_tried": "Not tried: the test ran out of time before this device.",
}
# The push service's refusals, by status. Its body is never repeated: it is another server's
# text, and it would tell a caller what answered where.
REFUSALS = {
    400: "The push service refused the message as malformed (400).",
    401: (
        "The push service refused the server's VAPID signature (401): the subscription may "
        "have been made with another server key; subscribe again."
    ),
    403: (
        "The push service refused the server's VAPID signature (403): the subscription may "
        "have been made with another server key; subscribe again."
    ),
    413: "The message is too large for the push service (413).",
}


def reason_for(code: str, status: int | None, asked: float | None = None) -> str | None:
    """The fixed sentence for a code (None for a delivery)."""
    if code == "delivered":
        return None
    if code == "refused":
        if status is not None and 300 <= status < 400:
            return f"The push service answered with a redirect ({status}), not followed."
        return REFUSALS.get(status or 0, f"The push service answered {status}.")
    if code in ("rate_limited", "service_error"):
        text = (
            "The push service is limiting how often we send (429)."
            if code == "rate_limited"
            else f"The push service had an error ({status})."
        )
        if asked is not None:
            text += f" It asked us to wait {asked:.0f} s before trying again."
        return text
    return REASONS[code]


def check_subscription_endpoint(endpoint: str) -> None:
    """Refuse, as a DomainError, an endpoint the server would not send to."""
    try:
        current_policy().check_endpoint(endpoint)
    except EndpointRefusedError as refused:
        raise DomainError(
            422, refused.detail, errors={"endpoint": [refused.detail]}, code=refused.code
        ) from None


def max_subscriptions() -> int:
    return max(1, int(current_app.config["PUSH_MAX_SUBSCRIPTIONS_PER_USER"]))


def _keep_newest(user_id: uuid.UUID, kept: PushSubscription) -> None:
    """Delete the user's subscriptions beyond the cap, least recently subscribed first; never
    `kept`, the one just subscribed. Browsers that are gone leave their subscriptions behind
    until a send finds them gone, so a cap that refused new ones would lock out a new phone."""
    db.session.flush()
    surplus = db.session.scalars(
        select(PushSubscription)
        .where(PushSubscription.user_id == user_id, PushSubscription.id != kept.id)
        .order_by(
            PushSubscription.updated_at.desc(),
            PushSubscription.created_at.desc(),
            PushSubscription.id.desc(),
        )
        .offset(max_subscriptions() - 1)
    ).all()
    for subscription in surplus:
        log.info("Push subscription %s goes: the user has too many", subscription.id)
        db.session.delete(subscription)


def subscribe(
    user_id: uuid.UUID,
    endpoint: str,
    keys: Mapping[str, str],
    device: str | None,
    user_agent: str | None,
) -> tuple[PushSubscription, bool]:
    """Store a browser's subscription for the user, and commit; True when it is new.

    An endpoint is one browser's: posted again it is updated, and it moves to the current user
    when someone else signed in on that browser before (their reminders must not reach it).
    Only a known push service's endpoint, resolving to public addresses, is taken; a user has
    at most PUSH_MAX_SUBSCRIPTIONS_PER_USER, the least recently subscribed going first.
    """
    check_subscription_endpoint(endpoint)
    for attempt in range(2):
        subscription = db.session.scalar(
            select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        )
        created = subscription is None
        if subscription is None:
            subscription = PushSubscription(endpoint=endpoint, user_id=user_id)
            db.session.add(subscription)
        elif subscription.user_id != user_id:
            log.info("Push subscription %s moves to another user", subscription.id)
            subscription.user_id = user_id
        subscription.p256dh, subscription.auth = keys["p256dh"], keys["auth"]
        subscription.device = device
        subscription.user_agent = (user_agent or "")[:500] or None
        subscription.failure_count = 0  # the browser says it is live
        subscription.updated_at = utcnow()  # even when nothing else changed: it is the newest
        try:
            _keep_newest(user_id, subscription)
            db.session.commit()
        except IntegrityError:
            # The same endpoint inserted by a concurrent request: update that one instead.
            db.session.rollback()
            if attempt:
                raise
            continue
        return subscription, created
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class PushTarget:
    """What sending needs of a subscription, read before any network call."""

    subscription_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str
    device: str | None

    @classmethod
    def of(cls, subscription: PushSubscription) -> PushTarget:
        return cls(
            subscription.id,
            subscription.endpoint,
            subscription.p256dh,
            subscription.auth,
            subscription.device,
        )


@dataclass(frozen=True)
class Delivery:
    """What became of one message to one subscription."""

    subscription_id: uuid.UUID
    device: str | None
    status: int | None  # the push service's HTTP status; None: it was not reached
    outcome: str  # delivered, gone or failed
    code: str  # one of CODES
    reason: str | None  # a fixed sentence for the code, never the push service's text
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    base_seconds: float
    max_seconds: float
    timeout_seconds: float  # for each read of the answer
    connect_timeout_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetryPolicy:
        return cls(
            attempts=max(1, int(config["PUSH_ATTEMPTS"])),
            base_seconds=float(config["PUSH_RETRY_BASE_SECONDS"]),
            max_seconds=float(config["PUSH_RETRY_MAX_SECONDS"]),
            timeout_seconds=float(config["PUSH_TIMEOUT_SECONDS"]),
            connect_timeout_seconds=float(config["PUSH_CONNECT_TIMEOUT_SECONDS"]),
        )

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number `attempt` (1, 2, ...)."""
        return float(min(self.base_seconds * 2 ** (attempt - 1), self.max_seconds))

    def timeouts(self, remaining: float | None) -> tuple[float, float]:
        """(connect, read) time-outs, neither past a deadline `remaining` seconds away."""
        connect, read = self.connect_timeout_seconds, self.timeout_seconds
        if remaining is None:
            return connect, read
        return min(connect, remaining), min(read, remaining)


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, as the VAPID `aud` claim wants it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port
    if port is None or port == DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def vapid_headers(keys: VapidKeys, endpoint: str) -> dict[str, str]:
    """`Authorization: vapid t=<JWT>,k=<public key>` for the endpoint's push service."""
    claims = {
        "aud": origin(endpoint),
        "exp": int(time.time()) + VAPID_LIFETIME_SECONDS,
        "sub": keys.subject,
    }
    headers: dict[str, str] = keys.signer.sign(claims)
    return headers


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds to wait: either a number of seconds or an HTTP date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def deliver(
    target: PushTarget,
    payload: Mapping[str, Any],
    *,
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: str = "normal",
    keys: VapidKeys | None = None,
    policy: RetryPolicy | None = None,
    endpoints: EndpointPolicy | None = None,
    session: requests.Session | None = None,
    deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Delivery:
    """Encrypt `payload` for the subscription and post it to its push service, retrying 429,
    5xx and network errors with exponential backoff (or after Retry-After, when the service
    names a wait within the policy's maximum). With a `deadline` (a `clock()` time), no attempt
    starts after it and no time-out or wait runs past it. Touches no database.

    `session` must come from push_session(): its connections go to checked addresses only."""
    keys = keys or vapid_keys()
    policy = policy or RetryPolicy.from_config(current_app.config)
    endpoints = endpoints or current_policy()

    def result(
        status: int | None, code: str, attempts: int, asked: float | None = None
    ) -> Delivery:
        outcome = code if code in ("delivered", "gone") else "failed"
        if code != "not_tried":  # nothing was sent: nothing to count
            metrics.record_delivery(outcome)
        reason = reason_for(code, status, asked)
        return Delivery(
            target.subscription_id, target.device, status, outcome, code, reason, attempts
        )

    try:
        endpoints.check_url(target.endpoint)
    except EndpointRefusedError:
        # Subscribed before the rules, or under other PUSH_SERVICE_HOSTS: never connected to.
        return result(None, "blocked", 0)
    own_session = session is None
    session = session or push_session(endpoints)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}
    status: int | None = None
    code, made = "unreachable", 0
    try:
        for attempt in range(1, policy.attempts + 1):
            remaining = None if deadline is None else deadline - clock()
            if remaining is not None and remaining <= 0:
                break
            made = attempt
            try:
                pusher = WebPusher(info, requests_session=session)
                headers = {**vapid_headers(keys, target.endpoint), "Urgency": urgency}
                response: Any = pusher.send(
                    data,
                    headers,
                    ttl=ttl,
                    content_encoding="aes128gcm",
                    timeout=policy.timeouts(remaining),
                )
            except EndpointRefusedError as refused:
                if refused.code != UNRESOLVED:
                    return result(None, "blocked", attempt)
                status, code, wait = None, "unreachable", policy.backoff(attempt)
            except requests.RequestException:
                status, code, wait = None, "unreachable", policy.backoff(attempt)
            except VapidException:
                return result(None, "signing_failed", attempt)
            except (WebPushException, ValueError):
                # Stored keys that cannot encrypt: nothing a retry would change.
                return result(None, "bad_keys", attempt)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return result(status, "delivered", attempt)
                if status in (404, 410):
                    return result(status, "gone", attempt)
                if status != 429 and status < 500:
                    log.warning(
                        "Push service answered %d for subscription %s: %r",
                        status,
                        target.subscription_id,
                        (response.text or "")[:200],
                    )
                    return result(status, "refused", attempt)
                code = "rate_limited" if status == 429 else "service_error"
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                if asked is not None and asked > policy.max_seconds:
                    return result(status, code, attempt, asked=asked)
                wait = max(policy.backoff(attempt), asked or 0.0)
            if attempt < policy.attempts:
                if deadline is not None and clock() + wait >= deadline:
                    break
                log.info(
                    "Push to %s: attempt %d failed, again in %.2f s",
                    target.subscription_id,
                    attempt,
                    wait,
                )
                metrics.record_push_retry()
                sleep(wait)
    finally:
        if own_session:
            session.close()
    if made == 0:
        return result(None, "not_tried", 0)
    return result(status, code, made)


def record(subscription: PushSubscription, delivery: Delivery) -> None:
    """Keep what the push service said on the subscription (the caller commits)."""
    if delivery.code == "not_tried":
        return
    if delivery.outcome == "delivered":
        subscription.last_success_at = utcnow()
        subscription.failure_count = 0
    elif delivery.outcome == "gone":
        db.session.delete(subscription)
    else:
        subscription.last_failure_at = utcnow()
        subscription.failure_count += 1
        log.warning(
            "Push to subscription %s failed (%s): %s",
            subscription.id,
            delivery.code,
            delivery.reason,
        )


def send(
    subscription: PushSubscription,
    payload: Mapping[str, Any],
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: str = "normal",
) -> Delivery:
    """Send one message to one subscription and record the answer (the caller commits)."""
    delivery = deliver(PushTarget.of(subscription), payload, ttl=ttl, urgency=urgency)
    record(subscription, delivery)
    return delivery


def send_to_user(
    user_id: uuid.UUID,
    payload: Mapping[str, Any],
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: str = "normal",
    deadline: float | None = None,
) -> list[Delivery]:
    """Send one message to every subscription of a user (at most the cap of them), and commit
    what they answered. With a `deadline` (time.monotonic()), nothing is tried after it.

    No transaction stays open while push services answer (they may take seconds, retries
    included): the subscriptions are read, that transaction ends, and the answers are written
    in a short one after.
    """
    targets = [
        PushTarget.of(subscription)
        for subscription in db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == user_id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
            .limit(max_subscriptions())
        )
    ]
    db.session.commit()
    if not targets:
        return []
    keys, policy = vapid_keys(), RetryPolicy.from_config(current_app.config)
    endpoints = current_policy()
    with push_session(endpoints) as session:
        deliveries = [
            deliver(
                target,
                payload,
                ttl=ttl,
                urgency=urgency,
                keys=keys,
                policy=policy,
                endpoints=endpoints,
                session=session,
                deadline=deadline,
            )
            for target in targets
        ]
    for delivery in deliveries:
        subscription = db.session.get(PushSubscription, delivery.subscription_id)
        # Unsubscribed or moved to another user meanwhile: their answer is not ours to keep.
        if subscription is not None and subscription.user_id == user_id:
            record(subscription, delivery)
    db.session.commit()
    return deliveries
