"""Web push: keeping the browsers' subscriptions, and sending them messages, encrypted
(aes128gcm), signed (VAPID) and retried when that helps.

The scheduler sends reminders with `send()` or `send_to_user()`; a request does so only for the
explicit test push (docs/architecture.md). What a push service answers is kept on the
subscription: a 404 or 410 means the browser dropped it, so it is deleted.
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
from api.extensions import db
from api.observability import metrics
from api.push.keys import VapidKeys, vapid_keys
from api.push.models import PushSubscription

log = logging.getLogger(__name__)

DEFAULT_TTL_SECONDS = 6 * 3600  # how long a push service keeps a message for an offline phone
VAPID_LIFETIME_SECONDS = 12 * 3600  # the JWT's exp; push services refuse more than 24 h
DEFAULT_PORTS = {"https": 443, "http": 80}


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
    """
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
        try:
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
    """What the push service answered for one subscription."""

    subscription_id: uuid.UUID
    device: str | None
    status: int | None  # None: the push service was not reached
    outcome: str  # delivered, gone or failed
    reason: str | None
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    base_seconds: float
    max_seconds: float
    timeout_seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetryPolicy:
        return cls(
            attempts=max(1, int(config["PUSH_ATTEMPTS"])),
            base_seconds=float(config["PUSH_RETRY_BASE_SECONDS"]),
            max_seconds=float(config["PUSH_RETRY_MAX_SECONDS"]),
            timeout_seconds=float(config["PUSH_TIMEOUT_SECONDS"]),
        )

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number `attempt` (1, 2, ...)."""
        return float(min(self.base_seconds * 2 ** (attempt - 1), self.max_seconds))


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


def _refusal(status: int, response: requests.Response) -> str:
    if status in (401, 403):
        text = (
            f"The push service refused the server's VAPID signature ({status}): the "
            "subscription may have been made with another server key; subscribe again."
        )
    elif status == 413:
        text = "The message is too large for the push service (413)."
    elif status == 400:
        text = "The push service refused the message as malformed (400)."
    else:
        text = f"The push service answered {status}."
    detail = (response.text or "").strip()[:200]
    return f"{text} It said: {detail}" if detail else text


def deliver(
    target: PushTarget,
    payload: Mapping[str, Any],
    *,
    ttl: int = DEFAULT_TTL_SECONDS,
    urgency: str = "normal",
    keys: VapidKeys | None = None,
    policy: RetryPolicy | None = None,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Encrypt `payload` for the subscription and post it to its push service, retrying 429,
    5xx and network errors with exponential backoff (or after Retry-After, when the service
    names a wait within the policy's maximum). Touches no database."""
    keys = keys or vapid_keys()
    policy = policy or RetryPolicy.from_config(current_app.config)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    info = {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}}

    def result(status: int | None, outcome: str, reason: str | None, attempts: int) -> Delivery:
        metrics.record_delivery(outcome)
        return Delivery(target.subscription_id, target.device, status, outcome, reason, attempts)

    status: int | None = None
    reason: str | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            pusher = WebPusher(info, requests_session=session)
            headers = {**vapid_headers(keys, target.endpoint), "Urgency": urgency}
            response: Any = pusher.send(
                data,
                headers,
                ttl=ttl,
                content_encoding="aes128gcm",
                timeout=policy.timeout_seconds,
            )
        except requests.RequestException as error:
            status, wait = None, policy.backoff(attempt)
            reason = f"Could not reach the push service ({type(error).__name__})."
        except VapidException as error:
            return result(None, "failed", f"Could not sign for this push service: {error}", 1)
        except (WebPushException, ValueError) as error:
            # Stored keys that cannot encrypt: nothing a retry would change.
            return result(None, "failed", f"The subscription's keys are not usable: {error}", 1)
        else:
            status = response.status_code
            if 200 <= status < 300:
                return result(status, "delivered", None, attempt)
            if status in (404, 410):
                reason = "The browser no longer has this subscription; it was removed."
                return result(status, "gone", reason, attempt)
            if status != 429 and status < 500:
                return result(status, "failed", _refusal(status, response), attempt)
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            reason = (
                "The push service is limiting how often we send (429)."
                if status == 429
                else f"The push service had an error ({status})."
            )
            if asked is not None and asked > policy.max_seconds:
                reason += f" It asked us to wait {asked:.0f} s before trying again."
                return result(status, "failed", reason, attempt)
            wait = max(policy.backoff(attempt), asked or 0.0)
        if attempt < policy.attempts:
            log.info(
                "Push to %s: attempt %d failed, again in %.2f s",
                target.subscription_id,
                attempt,
                wait,
            )
            metrics.record_push_retry()
            sleep(wait)
    return result(status, "failed", reason, policy.attempts)


def record(subscription: PushSubscription, delivery: Delivery) -> None:
    """Keep what the push service said on the subscription (the caller commits)."""
    if delivery.outcome == "delivered":
        subscription.last_success_at = utcnow()
        subscription.failure_count = 0
    elif delivery.outcome == "gone":
        db.session.delete(subscription)
    else:
        subscription.last_failure_at = utcnow()
        subscription.failure_count += 1
        log.warning("Push to subscription %s failed: %s", subscription.id, delivery.reason)


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
) -> list[Delivery]:
    """Send one message to every subscription of a user, and commit what they answered.

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
        )
    ]
    db.session.commit()
    if not targets:
        return []
    keys, policy = vapid_keys(), RetryPolicy.from_config(current_app.config)
    with requests.Session() as session:
        deliveries = [
            deliver(
                target, payload, ttl=ttl, urgency=urgency, keys=keys, policy=policy, session=session
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
