"""A local web push service for tests: a real HTTP server on 127.0.0.1 that checks what a push
service checks and reads what the browser would read.

For each POST to a subscription's endpoint it verifies the VAPID header (`Authorization: vapid
t=<JWT>,k=<public key>`: an ES256 signature by that key, `aud` this service's origin, `exp` in
the future and at most 24 h ahead, `sub` a mailto: or https: URL), requires a TTL and
`Content-Encoding: aes128gcm`, and decrypts the body with the subscription's private key, as the
browser does. Messages it accepts are kept in `delivered`; a test can make it answer an endpoint
with 410, 404, 500, 429 and Retry-After, in order, before it accepts again.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

MAX_EXPIRY_SECONDS = 24 * 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidError(Exception):
    """The Authorization header would not pass a push service's checks."""


def verify_vapid(authorization: str | None, audience: str, now: float | None = None) -> dict:
    """The JWT's claims, when the header passes every check; VapidError saying which failed."""
    if not authorization or not authorization.lower().startswith("vapid "):
        raise VapidError("no 'Authorization: vapid t=...,k=...' header")
    params = {}
    for part in authorization[len("vapid ") :].split(","):
        name, _, value = part.strip().partition("=")
        params[name] = value
    if "t" not in params or "k" not in params:
        raise VapidError("the header needs both t= and k=")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(params["k"]))
        header_b64, claims_b64, signature_b64 = params["t"].split(".")
        header = json.loads(unb64url(header_b64))
        claims = json.loads(unb64url(claims_b64))
        signature = unb64url(signature_b64)
    except ValueError as error:
        raise VapidError(f"unreadable token or key: {error}") from None
    if header.get("alg") != "ES256":
        raise VapidError(f"alg is {header.get('alg')!r}, not ES256")
    if len(signature) != 64:
        raise VapidError("an ES256 signature is 64 bytes (r and s)")
    der = utils.encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise VapidError("the signature does not verify with the k key") from None
    now = time.time() if now is None else now
    if claims.get("aud") != audience:
        raise VapidError(f"aud is {claims.get('aud')!r}, not {audience!r}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now:
        raise VapidError("exp is missing or in the past")
    if exp > now + MAX_EXPIRY_SECONDS:
        raise VapidError("exp is more than 24 hours ahead")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError(f"sub {claims.get('sub')!r} is not a mailto: or https: URL")
    return claims


@dataclass
class BrowserSubscription:
    """What a browser keeps: its ECDH key pair and auth secret, and the endpoint it got."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def as_json(self, **extra: Any) -> dict[str, Any]:
        """The body for POST /api/v1/push/subscriptions, as PushSubscription.toJSON() makes it."""
        keys = {"p256dh": self.p256dh, "auth": self.auth}
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": keys, **extra}

    def decrypt(self, body: bytes) -> bytes:
        return bytes(
            http_ece.decrypt(
                body,
                private_key=self.private_key,
                auth_secret=self.auth_secret,
                version="aes128gcm",
            )
        )


@dataclass
class Received:
    path: str
    payload: Any  # the decrypted body, parsed as JSON
    claims: dict
    headers: dict[str, str]


@dataclass
class Attempt:
    path: str
    status: int
    at: float  # time.monotonic()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class PushService:
    """Start with `with PushService() as service:`; `service.subscription()` makes a browser's
    subscription whose endpoint is here."""

    def __init__(self) -> None:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._lock = threading.Lock()
        self._browsers: dict[str, BrowserSubscription] = {}
        self._scripts: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
        self.attempts: list[Attempt] = []
        self.delivered: list[Received] = []
        self.rejections: list[str] = []

    def __enter__(self) -> PushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def subscription(self) -> BrowserSubscription:
        browser = BrowserSubscription(f"{self.origin}/push/{secrets.token_urlsafe(16)}")
        with self._lock:
            self._browsers[self.path_of(browser)] = browser
        return browser

    @staticmethod
    def path_of(browser: BrowserSubscription) -> str:
        return "/" + browser.endpoint.split("/", 3)[3]

    def answer(self, browser: BrowserSubscription, *responses: int | tuple[int, dict]) -> None:
        """Answer the next messages to `browser` with these statuses (and headers), in order;
        after them, messages are accepted (201)."""
        with self._lock:
            for response in responses:
                status, headers = response if isinstance(response, tuple) else (response, {})
                self._scripts[self.path_of(browser)].append((status, headers))

    def delivered_to(self, browser: BrowserSubscription) -> list[Any]:
        path = self.path_of(browser)
        return [message.payload for message in self.delivered if message.path == path]

    def attempts_at(self, browser: BrowserSubscription) -> list[Attempt]:
        path = self.path_of(browser)
        return [attempt for attempt in self.attempts if attempt.path == path]

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._handle(request)
        with self._lock:
            self.attempts.append(Attempt(request.path, response.status_code, time.monotonic()))
        return response(environ, start_response)

    def _reject(self, status: int, reason: str) -> Response:
        with self._lock:
            self.rejections.append(reason)
        return Response(reason, status=status)

    def _handle(self, request: Request) -> Response:
        if request.method != "POST":
            return Response("POST only", status=405)
        with self._lock:
            browser = self._browsers.get(request.path)
        if browser is None:
            return Response("No such subscription", status=404)
        try:
            claims = verify_vapid(request.headers.get("Authorization"), self.origin)
        except VapidError as error:
            return self._reject(401, f"VAPID: {error}")
        if not request.headers.get("TTL", "").isdigit():
            return self._reject(400, "TTL header missing")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._reject(400, "Content-Encoding is not aes128gcm")
        try:
            plain = browser.decrypt(request.get_data())
            payload = json.loads(plain)
        except Exception as error:  # any failure to read it is the sender's
            return self._reject(400, f"cannot decrypt: {error!r}")
        with self._lock:
            script = self._scripts[request.path]
            if script:
                status, headers = script.pop(0)
                return Response("scripted", status=status, headers=headers)
            self.delivered.append(
                Received(request.path, payload, claims, dict(request.headers.items()))
            )
        return Response(status=201, headers={"Location": f"{self.origin}/message/1"})
