"""Schemas of push subscriptions and of the test push's report."""

from __future__ import annotations

import binascii
from urllib.parse import urlsplit

import marshmallow as ma
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from marshmallow import fields, validate

from api.common.schema import CATEGORY_MAX, Text, choice, text
from api.push.endpoints import LOCAL_HOSTS
from api.push.keys import b64url_decode
from api.push.models import ENDPOINT_MAX_LENGTH
from api.push.service import CODES

OUTCOMES = ("delivered", "gone", "failed")


def http_localhost_allowed() -> bool:
    """A local push service (development, tests) may be plain http on this machine."""
    return bool(current_app.testing or current_app.config.get("PUSH_ALLOW_HTTP_LOCALHOST"))


def check_endpoint(value: str) -> None:
    """The URL's form. Whether it is a known push service's, at a public address, is the
    service's to decide (api/push/endpoints.py): a refusal there has a code of its own."""
    fix = "Send the endpoint URL exactly as pushManager.subscribe() gave it."
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ma.ValidationError(f"The URL contains spaces or control characters. {fix}")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise ma.ValidationError(f"Not a valid URL. {fix}") from None
    if not parts.hostname:
        raise ma.ValidationError(f"Not a push service URL: it needs a host. {fix}")
    if parts.username is not None or parts.password is not None:
        raise ma.ValidationError(f"The URL must not hold a user name or password. {fix}")
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS and http_localhost_allowed():
        return
    raise ma.ValidationError(f"The endpoint must be an https:// URL. {fix}")


def check_p256dh(value: str) -> None:
    fix = "use keys.p256dh from the subscription: base64url of a 65-byte P-256 point."
    try:
        raw = b64url_decode(value)
    except binascii.Error:
        raise ma.ValidationError(f"Not base64url; {fix}") from None
    if len(raw) != 65 or raw[0] != 4:
        raise ma.ValidationError(f"Decodes to {len(raw)} bytes, not an uncompressed point; {fix}")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise ma.ValidationError(f"Not a point on the P-256 curve; {fix}") from None


def check_auth(value: str) -> None:
    fix = "use keys.auth from the subscription: base64url of 16 bytes."
    try:
        raw = b64url_decode(value)
    except binascii.Error:
        raise ma.ValidationError(f"Not base64url; {fix}") from None
    if len(raw) != 16:
        raise ma.ValidationError(f"Decodes to {len(raw)} bytes; {fix}")


class PushKeysSchema(ma.Schema):
    """The subscription's `keys`, as PushSubscription.toJSON() writes them."""

    class Meta:
        unknown = ma.RAISE

    p256dh = Text(
        required=True,
        validate=[validate.Length(max=100), check_p256dh],
        metadata={"description": "The browser's ECDH public key: base64url, 65 bytes."},
    )
    auth = Text(
        required=True,
        validate=[validate.Length(max=50), check_auth],
        metadata={"description": "The browser's auth secret: base64url, 16 bytes."},
    )


class PushSubscriptionBodySchema(ma.Schema):
    """What the app posts: the browser's PushSubscription.toJSON(), and a device label."""

    class Meta:
        unknown = ma.RAISE
        ordered = True

    endpoint = Text(
        required=True,
        validate=[validate.Length(min=1, max=ENDPOINT_MAX_LENGTH), check_endpoint],
        metadata={
            "description": "The push service URL for this browser: https, on the host of a "
            "known push service (PUSH_SERVICE_HOSTS), resolving to public addresses."
        },
    )
    keys = fields.Nested(PushKeysSchema, required=True)
    # PushSubscription.toJSON() writes it (almost always null); sending it is fine, it is not kept.
    expirationTime = fields.Integer(  # noqa: N815 (the browser's name)
        allow_none=True,
        metadata={"description": "As the browser writes it; accepted and not used."},
    )
    device = text(
        CATEGORY_MAX,
        allow_none=True,
        metadata={"description": "A label the user knows the device by, e.g. 'Jobbmobil'."},
    )


class PushSubscriptionSchema(ma.Schema):
    """A stored subscription, as its owner sees it (the browser's keys stay on the server)."""

    class Meta:
        ordered = True

    id = fields.UUID(required=True)
    endpoint = fields.String(required=True)
    device = fields.String(required=True, allow_none=True)
    user_agent = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The User-Agent header of the request that subscribed."},
    )
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    last_success_at = fields.AwareDateTime(required=True, allow_none=True)
    last_failure_at = fields.AwareDateTime(required=True, allow_none=True)
    failure_count = fields.Integer(
        required=True, metadata={"description": "Failed sends since the last delivery."}
    )


class VapidPublicKeySchema(ma.Schema):
    public_key = fields.String(
        required=True,
        metadata={
            "description": "The server's VAPID public key, base64url of the uncompressed "
            "P-256 point: pushManager.subscribe's applicationServerKey."
        },
    )


class PushDeliverySchema(ma.Schema):
    subscription_id = fields.UUID(required=True)
    device = fields.String(required=True, allow_none=True)
    status = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The push service's HTTP status; null: it was not reached."},
    )
    outcome = choice(
        OUTCOMES,
        required=True,
        metadata={
            "description": "delivered; gone (the browser unsubscribed: the subscription is "
            "deleted); failed (see code and reason)."
        },
    )
    code = choice(
        CODES,
        required=True,
        metadata={
            "description": "What became of it, stable for the app: delivered; gone; refused "
            "(the push service would not take it); rate_limited; service_error; unreachable; "
            "blocked (not a known push service, or not at a public address: nothing was "
            "sent); bad_keys; signing_failed; not_tried (the test ran out of time first)."
        },
    )
    reason = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "A fixed English sentence for the code (null when delivered); "
            "never the push service's own text."
        },
    )
    attempts = fields.Integer(required=True)


class PushTestReportSchema(ma.Schema):
    results = fields.List(fields.Nested(PushDeliverySchema), required=True)
