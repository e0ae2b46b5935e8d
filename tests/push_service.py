"""A local web push service for tests: a real HTTP server on 127.0.0.1 that checks what a push
service checks and reads what the browser would read; and its WebSocket side, which a real
Firefox connects to as its push service.

For each POST to a subscription's endpoint it verifies the VAPID header (`Authorization: vapid
t=<JWT>,k=<public key>`: an ES256 signature by that key, `aud` this service's origin, `exp` in
the future and at most 24 h ahead, `sub` a mailto: or https: URL), requires a TTL and
`Content-Encoding: aes128gcm`, and decrypts the body with the subscription's private key, as the
browser does. Messages it accepts are kept in `delivered`; a test can make it answer an endpoint
with 410, 404, 500, 429 and Retry-After (or any status, headers and body), in order, before it
accepts again.

The WebSocket side (`ws_url`, for Firefox's `dom.push.serverURL`) speaks the Mozilla Push
Service protocol: `hello` (a UAID for the browser), `register` (a channel and its endpoint here,
`/wpush/...`, tied to the applicationServerKey the page subscribed with), `unregister`, pings
(`{}` answered with `{}`), and `notification`, which carries a message posted to the channel's
endpoint to the browser, encrypted as it came, for the browser to decrypt. The browser answers
each with an `ack` (100 delivered, 101 decryption failed, 102 not delivered) or a `nack` (301 to
303: its service worker failed); `notices` keeps each message and its answer. A message posted
while the browser is not connected waits for its next `hello`, as at a real push service. A
message to a channel must be signed with the key the channel was registered with.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import socket
import socketserver
import struct
import threading
import time
import uuid
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


@dataclass
class Channel:
    """A subscription of a browser connected over the WebSocket."""

    uaid: str
    channel_id: str
    key: str | None  # the applicationServerKey it was registered with, base64url unpadded
    path: str  # of its endpoint here


@dataclass
class Notice:
    """A message carried to a browser over the WebSocket, and what the browser answered."""

    path: str
    channel_id: str
    version: str
    body: bytes
    ack: int | None = None  # 100, 101 or 102 from an `ack`; 301 to 303 from a `nack`


WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x8, 0x9, 0xA, 0x0


class _WebSocket:
    """One browser's connection: RFC 6455 frames over a socket (text messages only, unmasked
    from the server, as the protocol wants), written by one thread at a time."""

    def __init__(self, connection: socket.socket, reader: Any) -> None:
        self._connection = connection
        self._reader = reader
        self._lock = threading.Lock()
        self.uaid: str | None = None

    def _read(self, count: int) -> bytes:
        data = self._reader.read(count)
        if len(data) < count:
            raise EOFError
        return bytes(data)

    def receive(self) -> str | None:
        """The next text message; None when the browser closed the connection."""
        message = b""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack(">H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack(">Q", self._read(8))
            mask = self._read(4) if second & 0x80 else b""
            payload = self._read(length)
            if mask:
                payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
            if opcode == CLOSE:
                self._send_frame(CLOSE, payload[:2])
                return None
            if opcode == PING:
                self._send_frame(PONG, payload)
                continue
            if opcode == PONG:
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack(">BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack(">BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, length)
        with self._lock:
            self._connection.sendall(header + payload)

    def send(self, message: dict[str, Any]) -> None:
        self._send_frame(TEXT, json.dumps(message).encode())

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.shutdown(socket.SHUT_RDWR)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class _WebSocketServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


Scripted = tuple[int, dict[str, str], bytes]


class PushService:
    """Start with `with PushService() as service:`; `service.subscription()` makes a browser's
    subscription whose endpoint is here, and `service.ws_url` is where a browser connects."""

    def __init__(self) -> None:
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        service = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                service._serve_websocket(self.connection, self.rfile)

        self._ws_server = _WebSocketServer(("127.0.0.1", 0), Handler)
        self.ws_url = f"ws://127.0.0.1:{self._ws_server.server_address[1]}/"
        self._ws_thread = threading.Thread(
            target=self._ws_server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._lock = threading.Condition()
        self._browsers: dict[str, BrowserSubscription] = {}
        self._scripts: dict[str, list[Scripted]] = defaultdict(list)
        self._channels: dict[str, Channel] = {}
        self._sockets: dict[str, _WebSocket] = {}  # uaid -> its live connection
        self.attempts: list[Attempt] = []
        self.delivered: list[Received] = []
        self.rejections: list[str] = []
        self.notices: list[Notice] = []
        self.protocol: list[dict[str, Any]] = []  # every message a browser sent, in order

    def __enter__(self) -> PushService:
        self._thread.start()
        self._ws_thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._ws_server.shutdown()
        with self._lock:
            live = list(self._sockets.values())
        for websocket in live:
            websocket.close()
        self._ws_server.server_close()
        self._ws_thread.join(timeout=5)

    def subscription(self) -> BrowserSubscription:
        browser = BrowserSubscription(f"{self.origin}/push/{secrets.token_urlsafe(16)}")
        with self._lock:
            self._browsers[self.path_of(browser)] = browser
        return browser

    @staticmethod
    def path_of(browser: BrowserSubscription | str) -> str:
        endpoint = browser.endpoint if isinstance(browser, BrowserSubscription) else browser
        return "/" + endpoint.split("/", 3)[3]

    def answer(
        self,
        browser: BrowserSubscription | str,
        *responses: int | tuple[int, dict] | tuple[int, dict, bytes],
    ) -> None:
        """Answer the next messages to `browser` (or to an endpoint) with these statuses, and
        headers and body, in order; after them, messages are accepted (201)."""
        with self._lock:
            for response in responses:
                if isinstance(response, int):
                    response = (response, {})
                status, headers, *body = response
                self._scripts[self.path_of(browser)].append((status, headers, b"".join(body)))

    # --- The WebSocket side --------------------------------------------------------------

    def channels(self) -> list[Channel]:
        with self._lock:
            return list(self._channels.values())

    def notices_at(self, endpoint: str) -> list[Notice]:
        path = self.path_of(endpoint)
        with self._lock:
            return [notice for notice in self.notices if notice.path == path]

    def wait_for_answer(self, notice: Notice, seconds: float) -> int:
        """The browser's ack or nack code for `notice`, waiting up to `seconds` for it."""
        with self._lock:
            if not self._lock.wait_for(lambda: notice.ack is not None, timeout=seconds):
                raise AssertionError(f"the browser did not answer message {notice.version}")
            assert notice.ack is not None
            return notice.ack

    def wait_for_channel(self, seconds: float) -> Channel:
        """The first channel a browser registers, waiting up to `seconds` for it."""
        with self._lock:
            if not self._lock.wait_for(lambda: bool(self._channels), timeout=seconds):
                raise AssertionError(f"no browser registered; it said {self.protocol}")
            return next(iter(self._channels.values()))

    def _serve_websocket(self, connection: socket.socket, reader: Any) -> None:
        request = b""
        while not request.endswith(b"\r\n\r\n"):
            line = reader.readline(8192)
            if not line:
                return
            request += line
        headers = {}
        for line in request.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        key = headers.get("sec-websocket-key")
        if "websocket" not in headers.get("upgrade", "").lower() or not key:
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest())
        answer = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {accept.decode()}",
        ]
        if "push-notification" in headers.get("sec-websocket-protocol", ""):
            answer.append("Sec-WebSocket-Protocol: push-notification")
        connection.sendall(("\r\n".join(answer) + "\r\n\r\n").encode())
        websocket = _WebSocket(connection, reader)
        try:
            while (text := websocket.receive()) is not None:
                self._on_message(websocket, json.loads(text))
        except (EOFError, OSError, ValueError):
            pass
        finally:
            with self._lock:
                if websocket.uaid and self._sockets.get(websocket.uaid) is websocket:
                    del self._sockets[websocket.uaid]

    def _on_message(self, websocket: _WebSocket, message: dict[str, Any]) -> None:
        with self._lock:
            self.protocol.append(message)
        kind = message.get("messageType")
        if not message:  # a ping
            websocket.send({})
        elif kind == "hello":
            uaid = message.get("uaid") or uuid.uuid4().hex
            websocket.uaid = uaid
            with self._lock:
                self._sockets[uaid] = websocket
                waiting = [
                    notice
                    for notice in self.notices
                    if notice.ack is None and self._uaid_of(notice.path) == uaid
                ]
            websocket.send(
                {
                    "messageType": "hello",
                    "uaid": uaid,
                    "status": 200,
                    "use_webpush": True,
                    "broadcasts": {},
                }
            )
            for notice in waiting:
                websocket.send(self._notification(notice))
        elif kind == "register":
            path = f"/wpush/{secrets.token_urlsafe(16)}"
            key = message.get("key")
            with self._lock:
                self._channels[path] = Channel(
                    str(websocket.uaid),
                    str(message.get("channelID")),
                    key.rstrip("=") if isinstance(key, str) else None,
                    path,
                )
                self._lock.notify_all()
            websocket.send(
                {
                    "messageType": "register",
                    "uaid": websocket.uaid,
                    "channelID": message.get("channelID"),
                    "status": 200,
                    "pushEndpoint": self.origin + path,
                }
            )
        elif kind == "unregister":
            with self._lock:
                for path, channel in list(self._channels.items()):
                    if channel.channel_id == message.get("channelID"):
                        del self._channels[path]
            websocket.send(
                {"messageType": "unregister", "channelID": message.get("channelID"), "status": 200}
            )
        elif kind in ("ack", "nack"):
            answers = (
                [(u.get("version"), u.get("code")) for u in message.get("updates", [])]
                if kind == "ack"
                else [(message.get("version"), message.get("code"))]
            )
            with self._lock:
                for version, code in answers:
                    for notice in self.notices:
                        if notice.version == version:
                            notice.ack = int(code)
                self._lock.notify_all()

    def _uaid_of(self, path: str) -> str | None:
        channel = self._channels.get(path)
        return channel.uaid if channel else None

    @staticmethod
    def _notification(notice: Notice) -> dict[str, Any]:
        return {
            "messageType": "notification",
            "channelID": notice.channel_id,
            "version": notice.version,
            "data": b64url(notice.body),
            "headers": {"encoding": "aes128gcm"},
        }

    def _forward(self, channel: Channel, request: Request) -> Response:
        """A message for a browser on the WebSocket: sent on at once if it is connected."""
        notice = Notice(channel.path, channel.channel_id, uuid.uuid4().hex, request.get_data())
        with self._lock:
            self.notices.append(notice)
            websocket = self._sockets.get(channel.uaid)
        if websocket is not None:
            # Should the connection be gone, the message goes at the browser's next hello.
            with contextlib.suppress(OSError):
                websocket.send(self._notification(notice))
        return Response(status=201, headers={"Location": f"{self.origin}/m/{notice.version}"})

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
            channel = self._channels.get(request.path)
        if browser is None and channel is None:
            return Response("No such subscription", status=404)
        try:
            claims = verify_vapid(request.headers.get("Authorization"), self.origin)
        except VapidError as error:
            return self._reject(401, f"VAPID: {error}")
        if not request.headers.get("TTL", "").isdigit():
            return self._reject(400, "TTL header missing")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._reject(400, "Content-Encoding is not aes128gcm")
        with self._lock:
            script = self._scripts[request.path]
            scripted = script.pop(0) if script else None
        if scripted is not None:
            status, headers, body = scripted
            return Response(body or b"scripted", status=status, headers=headers)
        if channel is not None:
            signer = str(request.headers.get("Authorization")).rsplit("k=", 1)[1].strip()
            if channel.key is not None and signer.rstrip("=") != channel.key:
                return self._reject(401, "VAPID: not the key the subscription was made with")
            return self._forward(channel, request)
        assert browser is not None
        try:
            plain = browser.decrypt(request.get_data())
            payload = json.loads(plain)
        except Exception as error:  # any failure to read it is the sender's
            return self._reject(400, f"cannot decrypt: {error!r}")
        with self._lock:
            self.delivered.append(
                Received(request.path, payload, claims, dict(request.headers.items()))
            )
        return Response(status=201, headers={"Location": f"{self.origin}/message/1"})
