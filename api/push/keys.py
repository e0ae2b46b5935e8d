"""The application server's VAPID key pair: from configuration, or generated once and kept."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask, current_app
from py_vapid import Vapid02, VapidException

log = logging.getLogger(__name__)

KEY_FILE_NAME = "vapid_private.pem"
# Push services want a way to reach whoever runs the server; production sets VAPID_SUBJECT.
FALLBACK_SUBJECT = "mailto:feltlogg@localhost"


@dataclass(frozen=True)
class VapidKeys:
    private_key: ec.EllipticCurvePrivateKey
    public_key: str  # base64url of the uncompressed point: the app's applicationServerKey
    subject: str
    source: str  # "configuration", the key file's path, or "throwaway"

    @property
    def signer(self) -> Any:
        return Vapid02(private_key=self.private_key)


BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def b64url_decode(value: str) -> bytes:
    """base64url with or without padding; binascii.Error for anything else (the standard
    library would skip characters outside the alphabet instead)."""
    if not isinstance(value, str) or not BASE64URL.fullmatch(value):
        raise binascii.Error("not base64url")
    text = value.rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_point(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def parse_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key written as base64url of the raw 32-byte number (as `web-push
    generate-vapid-keys` prints it), as PEM (PKCS#8 or SEC 1), or as base64url DER."""
    text = value.strip().replace("\\n", "\n")  # PEM squeezed onto one line of an env file
    try:
        key: Any
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError, binascii.Error) as error:
        raise RuntimeError(
            "VAPID_PRIVATE_KEY is not a key: give base64url of the raw 32-byte P-256 key, "
            "or a PEM private key"
        ) from error
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise RuntimeError("VAPID_PRIVATE_KEY must be an EC key on the P-256 curve")
    return key


def _from_file(path: Path) -> ec.EllipticCurvePrivateKey:
    """The key kept in `path`, generated there on first use (readable by the owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Written aside, then linked into place: a process starting at the same moment never
        # reads half a file, and whichever links first wins for both.
        spare = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        try:
            os.link(spare, path)
        except FileExistsError:
            pass
        else:
            log.warning(
                "Generated a VAPID key pair for web push in %s (set VAPID_PRIVATE_KEY, "
                "VAPID_PUBLIC_KEY and VAPID_SUBJECT in production)",
                path,
            )
        finally:
            spare.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise RuntimeError(f"{path} does not hold a P-256 key: remove it to get a new one")
    return key


def load_vapid_keys(config: Mapping[str, Any], instance_path: Path) -> VapidKeys:
    """The key pair the configuration names, checked; else the embedded default's."""
    subject = config.get("VAPID_SUBJECT") or FALLBACK_SUBJECT
    if not subject.startswith(("mailto:", "https:")):
        raise RuntimeError(f"VAPID_SUBJECT must be a mailto: or https: URL, got {subject!r}")
    private_value, public_value = config.get("VAPID_PRIVATE_KEY"), config.get("VAPID_PUBLIC_KEY")
    key_file = config.get("VAPID_KEY_FILE")
    if private_value:
        key, source = parse_private_key(private_value), "configuration"
    elif public_value:
        raise RuntimeError("VAPID_PUBLIC_KEY is set but VAPID_PRIVATE_KEY is not: set both")
    elif key_file or not config.get("TESTING"):
        path = Path(key_file) if key_file else instance_path / KEY_FILE_NAME
        key, source = _from_file(path), str(path)
    else:
        # Tests that name no key never write into the real instance folder.
        key, source = ec.generate_private_key(ec.SECP256R1()), "throwaway"
    public_key = b64url_encode(public_point(key))
    if public_value and public_value.strip().rstrip("=") != public_key:
        raise RuntimeError("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY")
    keys = VapidKeys(key, public_key, subject, source)
    try:  # the signer's own checks of the subject, now rather than at the first message
        keys.signer.sign({"aud": "https://push.example.com", "sub": subject})
    except VapidException as error:
        raise RuntimeError(f"VAPID_SUBJECT {subject!r} is refused: {error}") from error
    if not config.get("VAPID_SUBJECT") and source != "throwaway":
        log.warning("VAPID_SUBJECT is not set: push services are told %s", FALLBACK_SUBJECT)
    return keys


def init_app(app: Flask) -> None:
    """Read (or make) the keys at start, so a bad key stops the app at once."""
    app.extensions["vapid"] = load_vapid_keys(app.config, Path(app.instance_path))


def vapid_keys() -> VapidKeys:
    keys: VapidKeys = current_app.extensions["vapid"]
    return keys
