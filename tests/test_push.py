"""Web push: subscriptions per user and device, and test messages that really travel, encrypted
and signed, through a local push service (tests/push_service.py)."""

from __future__ import annotations

import base64
import inspect
import json
import re
import stat
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from sqlalchemy import func, select

from api import create_app
from api.demo import FIRST_NAMES, LAST_NAMES
from api.extensions import db
from api.push import endpoints
from api.push.keys import init_app, load_vapid_keys, parse_private_key, vapid_keys
from api.push.models import PushSubscription
from api.push.payloads import BODIES, KINDS, build_payload
from api.push.service import origin, send
from tests.push_service import BrowserSubscription, PushService, VapidError, verify_vapid

API = "/api/v1/push"
# Endpoints of a known push service (PUSH_SERVICE_HOSTS), never sent to by these tests.
MOZILLA = "https://updates.push.services.mozilla.com/wpush/v2"
MOZILLA_HOST_HTTP = "http://updates.push.services.mozilla.com/wpush/v2"
MOZILLA_HOST_FTP = "ftp://updates.push.services.mozilla.com/wpush/v2"
# What the tests' name server answers: public addresses for the push services' names.
NAMES = {
    "updates.push.services.mozilla.com": ["34.107.141.31"],
    "fcm.googleapis.com": ["142.250.74.42", "2a00:1450:400f:804::200a"],
    "localhost": ["127.0.0.1"],
}
TEST_PAYLOAD = {"kind": "test", "id": None, "title": "Feltlogg", "body": "Testvarsel fra Feltlogg"}


@pytest.fixture(autouse=True)
def quick_retries(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries as in production, only with short waits."""
    monkeypatch.setitem(app.config, "PUSH_RETRY_BASE_SECONDS", 0.01)
    monkeypatch.setitem(app.config, "PUSH_RETRY_MAX_SECONDS", 2.0)
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 5.0)


@pytest.fixture(autouse=True)
def name_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names are looked up here, never in the DNS (subscribing resolves the endpoint's host)."""
    monkeypatch.setattr(endpoints, "resolver", lambda host, port: list(NAMES.get(host, [])))


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


def subscribe(client: Any, headers: dict[str, str], browser: Any, **extra: Any) -> Any:
    body = browser.as_json(**extra) if isinstance(browser, BrowserSubscription) else browser
    return client.post(f"{API}/subscriptions", json=body, headers=headers)


def stored_subscriptions(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(PushSubscription)))


def valid_body(endpoint: str = f"{MOZILLA}/send/abc") -> dict[str, Any]:
    return BrowserSubscription(endpoint).as_json()


# --- The server's key ----------------------------------------------------------------------


def test_the_public_key_is_the_uncompressed_point_the_app_subscribes_with(app, client, make, login):
    response = client.get(f"{API}/vapid-public-key", headers=login(make.user()))
    assert response.status_code == 200
    key = response.json["public_key"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{87}", key)
    point = base64.urlsafe_b64decode(key + "=")
    assert len(point) == 65 and point[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    with app.app_context():
        assert key == vapid_keys().public_key


def test_only_a_signed_in_user_gets_the_public_key(client):
    response = client.get(f"{API}/vapid-public-key")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_keys_are_generated_once_into_the_instance_folder_with_owner_only_access(tmp_path):
    config = {"TESTING": False, "VAPID_SUBJECT": "mailto:drift@feltlogg.no"}
    first = load_vapid_keys(config, tmp_path)
    key_file = tmp_path / "vapid_private.pem"
    assert first.source == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_vapid_keys(config, tmp_path).public_key == first.public_key


def test_the_generated_key_is_reused_on_the_next_app_start(tmp_path, database_url, make, login):
    headers = login(make.user())
    key_file = tmp_path / "instance" / "vapid_private.pem"

    def start() -> Flask:
        return create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
                "JWT_SECRET_KEY": "test-jwt-secret-key-that-is-long-enough-for-hs256",
                "TESTING": True,
                "VAPID_KEY_FILE": str(key_file),
            }
        )

    answers = []
    for _ in range(2):
        started = start()
        answers.append(started.test_client().get(f"{API}/vapid-public-key", headers=headers))
        assert key_file.exists()
        with started.app_context():
            db.engine.dispose()
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json["public_key"] == answers[1].json["public_key"]


def _private_forms(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return {
        "raw base64url": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(),
        "PKCS#8 PEM": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "SEC 1 PEM on one line": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
        .replace("\n", "\\n"),
    }


def test_a_configured_key_is_read_in_every_usual_form(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    public = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
    for form, text in _private_forms(key).items():
        config = {"VAPID_PRIVATE_KEY": text, "VAPID_PUBLIC_KEY": public}
        keys = load_vapid_keys(config, tmp_path)
        assert keys.public_key == public, form
        assert keys.source == "configuration"
    assert not list(tmp_path.iterdir())  # nothing generated when the key is configured


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"VAPID_PRIVATE_KEY": "not a key"}, "VAPID_PRIVATE_KEY is not a key"),
        ({"VAPID_PUBLIC_KEY": "BAAA"}, "VAPID_PRIVATE_KEY is not"),
        ({"VAPID_SUBJECT": "drift@feltlogg.no"}, "mailto: or https:"),
        ({"VAPID_SUBJECT": "mailto:nobody"}, "is refused"),
    ],
)
def test_a_wrong_key_configuration_stops_the_app(config, message, tmp_path):
    with pytest.raises(RuntimeError, match=message):
        load_vapid_keys({"TESTING": True, **config}, tmp_path)


def test_a_public_key_that_does_not_match_stops_the_app_at_start(tmp_path):
    private = _private_forms(ec.generate_private_key(ec.SECP256R1()))["raw base64url"]
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = other.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    # A bare app: create_app() would leave the shared OpenAPI document half built.
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.update(
        VAPID_PRIVATE_KEY=private,
        VAPID_PUBLIC_KEY=base64.urlsafe_b64encode(point).rstrip(b"=").decode(),
    )
    with pytest.raises(RuntimeError, match="does not belong"):
        init_app(app)
    assert "vapid" not in app.extensions
    assert parse_private_key(private)  # the private key alone is fine


# --- Subscriptions -------------------------------------------------------------------------


def test_subscribing_stores_the_browser_for_the_current_user(client, make, login):
    user = make.user()
    headers = {**login(user), "User-Agent": "Mozilla/5.0 (Android 14; Mobile)"}
    browser = BrowserSubscription("https://fcm.googleapis.com/fcm/send/abc:123")
    response = subscribe(client, headers, browser, device="Jobbmobil")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["endpoint"] == browser.endpoint
    assert body["device"] == "Jobbmobil"
    assert body["user_agent"] == "Mozilla/5.0 (Android 14; Mobile)"
    assert body["failure_count"] == 0 and body["last_success_at"] is None
    assert "keys" not in body  # the browser's secret stays on the server
    listed = client.get(f"{API}/subscriptions", headers=headers).json
    assert [s["id"] for s in listed] == [body["id"]]


def test_the_same_endpoint_posted_again_is_updated_not_duplicated(app, client, make, login):
    headers = login(make.user())
    first = BrowserSubscription(f"{MOZILLA}/send/same")
    created = subscribe(client, headers, first, device="Gammel")
    renewed = BrowserSubscription(first.endpoint)  # new keys, same endpoint
    response = subscribe(client, headers, renewed, device="Jobbmobil")
    assert response.status_code == 200
    assert response.json["id"] == created.json["id"]
    assert response.json["device"] == "Jobbmobil"
    assert stored_subscriptions(app) == 1
    with app.app_context():
        row = db.session.get(PushSubscription, uuid.UUID(created.json["id"]))
        assert (row.p256dh, row.auth) == (renewed.p256dh, renewed.auth)


def test_an_endpoint_moves_to_whoever_subscribes_on_that_browser_next(client, make, login):
    team = make.team()
    before, after = login(make.user(team=team)), login(make.user(team=team))
    browser = BrowserSubscription(f"{MOZILLA}/send/shared-tablet")
    first = subscribe(client, before, browser)
    moved = subscribe(client, after, browser)
    assert moved.status_code == 200 and moved.json["id"] == first.json["id"]
    assert client.get(f"{API}/subscriptions", headers=before).json == []
    listed = client.get(f"{API}/subscriptions", headers=after).json
    assert [s["id"] for s in listed] == [first.json["id"]]


def _point_off_the_curve() -> str:
    return base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).rstrip(b"=").decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _with_keys(**keys: Any) -> dict[str, Any]:
    body = valid_body()
    body["keys"] = {**body["keys"], **keys}
    return body


INVALID_BODIES = {
    "p256dh not base64url": (_with_keys(p256dh="not+base64/at all!"), "p256dh", "base64url"),
    "p256dh of 64 bytes": (_with_keys(p256dh=_b64(b"\x04" * 64)), "p256dh", "64 bytes"),
    "p256dh compressed": (_with_keys(p256dh=_b64(b"\x02" + b"\x01" * 32)), "p256dh", "33 bytes"),
    "p256dh off the curve": (_with_keys(p256dh=_point_off_the_curve()), "p256dh", "P-256"),
    "auth of 15 bytes": (_with_keys(auth=_b64(b"a" * 15)), "auth", "15 bytes"),
    "auth with padding in the middle": (_with_keys(auth="AAAA=AAAA"), "auth", "base64url"),
    "keys missing": ({"endpoint": f"{MOZILLA}/x"}, "keys", "required"),
    "http endpoint": (valid_body(f"{MOZILLA_HOST_HTTP}/send/abc"), "endpoint", "https://"),
    "ftp endpoint": (valid_body(f"{MOZILLA_HOST_FTP}/send/abc"), "endpoint", "https://"),
    "no host": (valid_body("https:///send/abc"), "endpoint", "host"),
    "with a password": (
        valid_body("https://a:b@updates.push.services.mozilla.com/wpush/v2/x"),
        "endpoint",
        "password",
    ),
    "a space": (valid_body(f"{MOZILLA}/a b"), "endpoint", "spaces"),
    "not a URL": (
        valid_body("https://updates.push.services.mozilla.com:port/x"),
        "endpoint",
        "URL",
    ),
    "unknown field": (valid_body() | {"endpont": "https://x.no"}, "endpont", "Unknown"),
}


@pytest.mark.parametrize(("body", "field", "says"), INVALID_BODIES.values(), ids=INVALID_BODIES)
def test_an_invalid_subscription_is_refused_with_what_to_fix_and_nothing_stored(
    app, client, make, login, body, field, says
):
    response = client.post(f"{API}/subscriptions", json=body, headers=login(make.user()))
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    found = errors["keys"][field] if field in ("p256dh", "auth") else errors[field]
    assert says in json.dumps(found), found
    assert stored_subscriptions(app) == 0


def test_http_on_localhost_is_only_for_tests_and_when_configured(
    app, client, make, login, monkeypatch
):
    headers = login(make.user())
    local = valid_body("http://localhost:8080/push/abc")
    monkeypatch.setitem(app.config, "TESTING", False)
    refused = client.post(f"{API}/subscriptions", json=local, headers=headers)
    assert refused.status_code == 422 and "https://" in refused.json["errors"]["endpoint"][0]
    monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP_LOCALHOST", True)
    assert client.post(f"{API}/subscriptions", json=local, headers=headers).status_code == 201
    elsewhere = valid_body(f"{MOZILLA_HOST_HTTP}/abc")
    assert client.post(f"{API}/subscriptions", json=elsewhere, headers=headers).status_code == 422


def test_each_user_lists_only_their_own_subscriptions(client, make, login):
    team = make.team()
    mine, theirs = make.user(team=team), make.user(team=team)
    own = subscribe(client, login(mine), valid_body(f"{MOZILLA}/mine")).json
    subscribe(client, login(theirs), valid_body(f"{MOZILLA}/theirs"))
    listed = client.get(f"{API}/subscriptions", headers=login(mine)).json
    assert [s["endpoint"] for s in listed] == [own["endpoint"]]


def test_a_user_deletes_their_own_subscription_but_not_anyone_elses(app, client, make, login):
    team = make.team()
    mine, theirs = login(make.user(team=team)), login(make.user(team=team))
    own = subscribe(client, mine, valid_body(f"{MOZILLA}/mine")).json
    other = subscribe(client, theirs, valid_body(f"{MOZILLA}/theirs")).json
    refused = client.delete(f"{API}/subscriptions/{other['id']}", headers=mine)
    assert refused.status_code == 404
    assert refused.mimetype == "application/problem+json"
    missing = client.delete(f"{API}/subscriptions/{uuid.uuid4()}", headers=mine)
    assert missing.status_code == 404
    assert client.delete(f"{API}/subscriptions/{own['id']}", headers=mine).status_code == 204
    assert client.get(f"{API}/subscriptions", headers=mine).json == []
    assert stored_subscriptions(app) == 1  # theirs is still there


@pytest.mark.parametrize("role", ["specialist", "supervisor", "participant"])
def test_every_role_subscribes_tests_and_removes_its_own_devices(
    client, make, login, push_service, role
):
    headers = login(make.user(role))
    browser = push_service.subscription()
    created = subscribe(client, headers, browser, device="Mobil")
    assert created.status_code == 201
    report = client.post(f"{API}/test", headers=headers)
    assert report.status_code == 200
    assert [r["outcome"] for r in report.json["results"]] == ["delivered"]
    assert push_service.delivered_to(browser) == [TEST_PAYLOAD]
    removed = client.delete(f"{API}/subscriptions/{created.json['id']}", headers=headers)
    assert removed.status_code == 204


# --- Test messages through the local push service -----------------------------------------


def test_a_test_push_reaches_every_device_encrypted_and_signed(
    app, client, make, login, push_service
):
    user = make.user(name="Kari Nordmann", email="kari.nordmann@test.no")
    headers = login(user)
    phone, laptop = push_service.subscription(), push_service.subscription()
    ids = [
        subscribe(client, headers, phone, device="Mobil").json["id"],
        subscribe(client, headers, laptop, device="PC").json["id"],
    ]
    response = client.post(f"{API}/test", headers=headers)
    assert response.status_code == 200, response.json
    assert response.json["results"] == [
        {
            "subscription_id": subscription_id,
            "device": device,
            "status": 201,
            "outcome": "delivered",
            "code": "delivered",
            "reason": None,
            "attempts": 1,
        }
        for subscription_id, device in zip(ids, ["Mobil", "PC"], strict=True)
    ]
    assert push_service.rejections == []
    assert push_service.delivered_to(phone) == [TEST_PAYLOAD]
    assert push_service.delivered_to(laptop) == [TEST_PAYLOAD]
    for message in push_service.delivered:
        assert message.claims["aud"] == push_service.origin
        assert message.claims["sub"].startswith(("mailto:", "https:"))
        assert message.headers["Content-Encoding"] == "aes128gcm"
        assert "Kari" not in json.dumps(message.payload)
        assert "kari.nordmann" not in json.dumps(message.payload)
    with app.app_context():
        # signed by the key the app hands out for subscribing
        k = re.search(r"k=([A-Za-z0-9_-]+)", push_service.delivered[0].headers["Authorization"])
        assert k and k.group(1) == vapid_keys().public_key
    listed = client.get(f"{API}/subscriptions", headers=headers).json
    assert all(s["last_success_at"] and s["failure_count"] == 0 for s in listed)


def test_a_test_push_without_subscriptions_reports_nothing(client, make, login):
    response = client.post(f"{API}/test", headers=login(make.user()))
    assert response.status_code == 200 and response.json == {"results": []}


def test_the_push_service_refuses_a_tampered_signature_or_a_foreign_key(
    client, make, login, push_service
):
    headers = login(make.user())
    browser = push_service.subscription()
    subscribe(client, headers, browser)
    client.post(f"{API}/test", headers=headers)
    authorization = push_service.delivered[0].headers["Authorization"]
    assert verify_vapid(authorization, push_service.origin)["aud"] == push_service.origin

    token = re.search(r"t=([^,]+)", authorization).group(1)
    signature = token.rsplit(".", 1)[1]
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    tampered = authorization.replace(signature, flipped)
    with pytest.raises(VapidError, match="signature"):
        verify_vapid(tampered, push_service.origin)
    stranger = ec.generate_private_key(ec.SECP256R1()).public_key()
    foreign = re.sub(
        r"k=[A-Za-z0-9_-]+",
        "k="
        + base64.urlsafe_b64encode(
            stranger.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        .rstrip(b"=")
        .decode(),
        authorization,
    )
    with pytest.raises(VapidError, match="signature"):
        verify_vapid(foreign, push_service.origin)
    with pytest.raises(VapidError, match="aud"):
        verify_vapid(authorization, "https://push.example.com")

    # ...and over HTTP: the service answers 401 and keeps nothing
    message = push_service.delivered[0]
    sent = requests.post(
        browser.endpoint,
        data=b"x" * 100,
        headers={"Authorization": tampered, "TTL": "60", "Content-Encoding": "aes128gcm"},
        timeout=5,
    )
    assert sent.status_code == 401
    assert push_service.rejections == ["VAPID: the signature does not verify with the k key"]
    assert push_service.delivered == [message]


@pytest.mark.parametrize("status", [410, 404])
def test_a_subscription_the_push_service_calls_gone_is_removed(
    app, client, make, login, push_service, status
):
    headers = login(make.user())
    gone, kept = push_service.subscription(), push_service.subscription()
    subscribe(client, headers, gone)
    subscribe(client, headers, kept)
    push_service.answer(gone, status)
    results = client.post(f"{API}/test", headers=headers).json["results"]
    assert [(r["status"], r["outcome"]) for r in results] == [(status, "gone"), (201, "delivered")]
    assert [r["code"] for r in results] == ["gone", "delivered"]
    listed = client.get(f"{API}/subscriptions", headers=headers).json
    assert [s["endpoint"] for s in listed] == [kept.endpoint]
    assert len(push_service.attempts_at(gone)) == 1  # gone is final: no retry


def test_a_server_error_is_retried_and_the_message_delivered_once(
    client, make, login, push_service
):
    headers = login(make.user())
    browser = push_service.subscription()
    subscribe(client, headers, browser)
    push_service.answer(browser, 500)
    result = client.post(f"{API}/test", headers=headers).json["results"][0]
    assert (result["status"], result["outcome"], result["attempts"]) == (201, "delivered", 2)
    assert [a.status for a in push_service.attempts_at(browser)] == [500, 201]
    assert push_service.delivered_to(browser) == [TEST_PAYLOAD]


def test_too_many_requests_waits_as_long_as_the_push_service_asks(
    client, make, login, push_service
):
    headers = login(make.user())
    browser = push_service.subscription()
    subscribe(client, headers, browser)
    push_service.answer(browser, (429, {"Retry-After": "1"}))
    result = client.post(f"{API}/test", headers=headers).json["results"][0]
    assert result["outcome"] == "delivered" and result["attempts"] == 2
    first, second = push_service.attempts_at(browser)
    assert second.at - first.at >= 0.95  # not the 0.01 s backoff: the second it asked for


def test_a_wait_longer_than_allowed_gives_up_and_counts_a_failure(
    client, make, login, push_service
):
    headers = login(make.user())
    browser = push_service.subscription()
    subscribe(client, headers, browser)
    push_service.answer(browser, (429, {"Retry-After": "3600"}))
    result = client.post(f"{API}/test", headers=headers).json["results"][0]
    assert (result["status"], result["outcome"], result["code"]) == (429, "failed", "rate_limited")
    assert "3600 s" in result["reason"]
    assert len(push_service.attempts_at(browser)) == 1
    listed = client.get(f"{API}/subscriptions", headers=headers).json[0]
    assert listed["failure_count"] == 1 and listed["last_failure_at"]


def test_errors_that_persist_fail_after_a_few_attempts(app, client, make, login, push_service):
    headers = login(make.user())
    browser = push_service.subscription()
    subscribe(client, headers, browser)
    push_service.answer(browser, 503, 502, 500)
    result = client.post(f"{API}/test", headers=headers).json["results"][0]
    assert (result["status"], result["outcome"], result["attempts"]) == (500, "failed", 3)
    assert result["code"] == "service_error"
    assert result["reason"] == "The push service had an error (500)."
    assert push_service.delivered == []
    listed = client.get(f"{API}/subscriptions", headers=headers).json[0]
    assert listed["failure_count"] == 1


def test_a_refusal_is_not_retried_and_says_why(client, make, login, push_service):
    headers = login(make.user())
    browser = push_service.subscription()
    subscribe(client, headers, browser)
    push_service.answer(browser, 403)
    result = client.post(f"{API}/test", headers=headers).json["results"][0]
    assert (result["status"], result["outcome"], result["attempts"]) == (403, "failed", 1)
    assert result["code"] == "refused"
    assert "VAPID" in result["reason"]


def test_an_unreachable_push_service_is_retried_then_reported(app, client, make, login):
    headers = login(make.user())
    with PushService() as service:
        browser = service.subscription()
    # the service has stopped: nothing listens on its port any more
    subscribe(client, headers, browser)
    result = client.post(f"{API}/test", headers=headers).json["results"][0]
    assert result["status"] is None and result["outcome"] == "failed"
    assert result["code"] == "unreachable"
    assert result["attempts"] == app.config["PUSH_ATTEMPTS"]
    assert "Could not reach the push service" in result["reason"]


def test_the_scheduler_sends_one_message_with_send(app, make, push_service):
    user = make.user()
    browser = push_service.subscription()
    with app.app_context():
        subscription = PushSubscription(
            user_id=user.id, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
        db.session.add(subscription)
        db.session.commit()
        meeting_id = uuid.uuid4()
        delivery = send(subscription, build_payload("meeting_reminder", meeting_id), ttl=600)
        db.session.commit()
        assert delivery.outcome == "delivered"
        assert subscription.last_success_at is not None
    message = push_service.delivered[0]
    assert message.payload == {
        "kind": "meeting_reminder",
        "id": str(meeting_id),
        "title": "Feltlogg",
        "body": BODIES["meeting_reminder"],
    }
    assert message.headers["Ttl"] == "600"


def test_the_audience_is_the_push_service_origin():
    assert origin("https://fcm.googleapis.com/fcm/send/abc") == "https://fcm.googleapis.com"
    assert origin("https://Push.Example.com:443/x") == "https://push.example.com"
    assert origin("http://127.0.0.1:8123/push/a") == "http://127.0.0.1:8123"


# --- What a message may say ----------------------------------------------------------------


def test_every_kind_of_message_holds_a_kind_an_id_and_a_generic_text():
    assert set(KINDS) == {
        "test",
        "meeting_reminder",
        "not_met_nudge",
        "weekly_contacts",
        "report_ready",
        "step_due",
    }
    record_id = uuid.uuid4()
    for kind in KINDS:
        payload = build_payload(kind, record_id)
        assert payload == {
            "kind": kind,
            "id": str(record_id),
            "title": "Feltlogg",
            "body": BODIES[kind],
        }
        assert len(json.dumps(payload).encode()) < 512  # far below a push service's 4 kB
    assert build_payload("test") == TEST_PAYLOAD


def test_no_name_or_note_can_get_into_a_message():
    # The builder takes a kind and an id, nothing else: there is no way to pass text in.
    assert list(inspect.signature(build_payload).parameters) == ["kind", "record_id"]
    with pytest.raises(TypeError):
        build_payload("meeting_reminder", "Kari Nordmann")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        build_payload("step_due", record_id=uuid.uuid4(), body="Ring Kari")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="unknown push kind"):
        build_payload("Kari Nordmann")
    # ...and the fixed texts name nobody.
    words = {word for text in BODIES.values() for word in re.findall(r"\w+", text)}
    assert not words & (set(FIRST_NAMES) | set(LAST_NAMES))
