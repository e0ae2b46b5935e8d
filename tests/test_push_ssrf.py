"""Push endpoints cannot aim the server anywhere else: only known push services, at public
addresses, checked when subscribing and again when sending; a cap on subscriptions per user, a
rate limit and a deadline on the test push, and no text of a push service's in any answer.

No test here connects anywhere but 127.0.0.1, nor asks the DNS: names are resolved by
`name_server` below, and `no_sockets` fails a test that so much as opens a socket where a
refusal is expected.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3.util.connection
from flask import Flask
from sqlalchemy import func, select

from api import create_app
from api.extensions import db
from api.push import endpoints
from api.push.endpoints import EndpointPolicy, is_public
from api.push.models import PushSubscription
from api.push.payloads import build_payload
from api.push.service import PushTarget, deliver, max_subscriptions, send_to_user
from tests.factories import Factory
from tests.push_service import BrowserSubscription, PushService

API = "/api/v1/push"
FCM = "fcm.googleapis.com"
MOZILLA = "updates.push.services.mozilla.com"
PUBLIC = "142.250.74.42"  # what the push services' names resolve to here; never connected to

# Addresses no push service is at: private, loopback, link-local (the cloud metadata address),
# shared, multicast, reserved, unspecified; in IPv4, IPv6 and IPv4 carried inside IPv6.
NOT_PUBLIC = [
    "10.0.0.1",
    "10.255.255.254",
    "172.16.0.5",
    "172.31.255.1",
    "192.168.1.10",
    "127.0.0.1",
    "127.8.9.10",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.251",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",
    "::1",
    "::",
    "fd00::1",
    "fc00::5",
    "fe80::1",
    "fe80::1%1",
    "fec0::1",
    "ff02::1",
    "ff0e::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2001:db8::1",
]
# Endpoints that name such an address themselves.
ADDRESS_ENDPOINTS = [
    "https://10.0.0.1/push/x",
    "https://192.168.0.1/push/x",
    "https://172.16.0.1/push/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://127.0.0.2/push/x",
    "https://0.0.0.0/push/x",
    "https://[::1]/push/x",
    "https://[fd00::1]/push/x",
    "https://[fe80::1]/push/x",
    "https://[::ffff:10.0.0.1]/push/x",
    "https://[::ffff:7f00:1]/push/x",
    "https://2130706433/push/x",  # 127.0.0.1 as one number
    "https://0x7f.0.0.1/push/x",
    "https://[::]/push/x",
]
# Hosts that look like a push service's and are not.
LOOK_ALIKES = [
    "https://push.example.com/send/x",
    f"https://{FCM}.evil.example/send/x",
    "https://evilpush.services.mozilla.com/wpush/x",
    "https://push.services.mozilla.com/wpush/x",  # the domain itself, not one of its hosts
    f"https://{FCM}:8443/fcm/send/x",
    f"https://{FCM}./fcm/send/x",
    "https://localhost.localdomain/push/x",
]
TEXT_OF_THEIRS = "SECRET-REMOTE-BODY-7f3a"


@pytest.fixture(autouse=True)
def quick(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "PUSH_RETRY_BASE_SECONDS", 0.01)
    monkeypatch.setitem(app.config, "PUSH_RETRY_MAX_SECONDS", 2.0)


class NameServer:
    """The only resolver these tests use: a table, and a record of what was asked."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {FCM: [PUBLIC], MOZILLA: [PUBLIC]}
        self.asked: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return list(self.names.get(host, []))


@pytest.fixture(autouse=True)
def name_server(monkeypatch: pytest.MonkeyPatch) -> NameServer:
    server = NameServer()
    monkeypatch.setattr(endpoints, "resolver", server)
    return server


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any socket opened (or connection tried) fails the test; the attempts are listed too, in
    case a caller swallowed the failure."""
    opened: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise AssertionError(f"a socket was opened: {args}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    yield opened
    assert opened == []


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


def body(endpoint: str) -> dict[str, Any]:
    return BrowserSubscription(endpoint).as_json()


def stored(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(PushSubscription)))


def store(app: Flask, user: Any, endpoint: str) -> uuid.UUID:
    """A subscription as an earlier version, or an earlier PUSH_SERVICE_HOSTS, let it in."""
    browser = BrowserSubscription(endpoint)
    with app.app_context():
        row = PushSubscription(
            user_id=user.id, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def keys() -> tuple[str, str]:
    """A browser's p256dh and auth, for a PushTarget."""
    browser = BrowserSubscription("https://unused.invalid/")
    return browser.p256dh, browser.auth


def assert_refused(response: Any, code: str) -> None:
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code
    assert response.json["errors"]["endpoint"] == [response.json["detail"]]


# --- At subscribe time ------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ADDRESS_ENDPOINTS)
def test_an_endpoint_that_names_an_address_is_refused_without_a_look_up_or_a_socket(
    app, client, make, login, name_server, no_sockets, endpoint
):
    response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=login(make.user()))
    assert_refused(response, "push_service_unknown")
    assert name_server.asked == []
    assert stored(app) == 0


@pytest.mark.parametrize("endpoint", LOOK_ALIKES)
def test_a_host_that_only_looks_like_a_push_service_is_refused(
    app, client, make, login, name_server, no_sockets, endpoint
):
    response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=login(make.user()))
    assert_refused(response, "push_service_unknown")
    assert name_server.asked == []
    assert stored(app) == 0


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_push_service_name_resolving_to_an_address_not_public_is_refused(
    app, client, make, login, name_server, no_sockets, address
):
    name_server.names[FCM] = [address]
    response = client.post(
        f"{API}/subscriptions", json=body(f"https://{FCM}/fcm/send/x"), headers=login(make.user())
    )
    assert_refused(response, "push_endpoint_private")
    assert name_server.asked == [FCM]
    assert stored(app) == 0


def test_one_address_not_public_among_public_ones_is_enough_to_refuse(
    app, client, make, login, name_server, no_sockets
):
    name_server.names[FCM] = [PUBLIC, "2a00:1450:400f:804::200a", "10.1.2.3"]
    response = client.post(
        f"{API}/subscriptions", json=body(f"https://{FCM}/fcm/send/x"), headers=login(make.user())
    )
    assert_refused(response, "push_endpoint_private")
    assert stored(app) == 0


def test_a_name_that_does_not_resolve_is_refused(app, client, make, login, no_sockets):
    response = client.post(
        f"{API}/subscriptions",
        json=body("https://eu.push.apple.com/3/device/x"),
        headers=login(make.user()),
    )
    assert_refused(response, "push_endpoint_unresolved")
    assert stored(app) == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        f"https://{FCM}/fcm/send/abc:123",
        f"https://{MOZILLA}/wpush/v2/gAAAAA",
        f"https://{MOZILLA.upper()}/wpush/v2/gAAAAA",
        f"https://{FCM}:443/fcm/send/abc",
    ],
)
def test_the_public_push_services_are_taken(app, client, make, login, no_sockets, endpoint):
    response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=login(make.user()))
    assert response.status_code == 201, response.json


def test_push_service_hosts_is_the_allow_list(
    app, client, make, login, name_server, monkeypatch, no_sockets
):
    monkeypatch.setitem(app.config, "PUSH_SERVICE_HOSTS", ("push.kommune.no", "*.varsel.no"))
    name_server.names.update({"push.kommune.no": [PUBLIC], "a.b.varsel.no": [PUBLIC]})
    headers = login(make.user())
    for endpoint in ("https://push.kommune.no/x", "https://a.b.varsel.no/x"):
        response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=headers)
        assert response.status_code == 201, (endpoint, response.json)
    for endpoint in (f"https://{FCM}/fcm/send/x", "https://varsel.no/x"):
        response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=headers)
        assert_refused(response, "push_service_unknown")


@pytest.mark.parametrize("pattern", ["*", "*.no", "push..no", "10.0.0.1", "https://x.no", ""])
def test_a_push_service_host_pattern_that_could_match_too_much_stops_the_app(pattern):
    with pytest.raises(RuntimeError, match="PUSH_SERVICE_HOSTS"):
        EndpointPolicy.from_config({"PUSH_SERVICE_HOSTS": (pattern,)})


def test_a_local_push_service_only_with_the_switch_and_only_at_loopback(
    app, client, make, login, name_server, monkeypatch, no_sockets
):
    headers = login(make.user())
    local = ["http://127.0.0.1:8123/push/a", "https://localhost:8443/push/b"]
    monkeypatch.setitem(app.config, "TESTING", False)
    for endpoint in local:
        response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=headers)
        assert response.status_code == 422, response.json
    monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP_LOCALHOST", True)
    name_server.names["localhost"] = ["127.0.0.1", "::1"]
    for endpoint in local:
        response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=headers)
        assert response.status_code == 201, response.json
    # ...and a localhost that resolves elsewhere is no local push service.
    name_server.names["localhost"] = ["127.0.0.1", "10.0.0.7"]
    response = client.post(
        f"{API}/subscriptions", json=body("http://localhost:8123/push/c"), headers=headers
    )
    assert_refused(response, "push_endpoint_private")
    # Other loopback forms are not the switch's.
    for endpoint in ("https://[::1]:8123/push/d", "https://127.0.0.2:8123/push/e"):
        response = client.post(f"{API}/subscriptions", json=body(endpoint), headers=headers)
        assert_refused(response, "push_service_unknown")


# --- At send time -------------------------------------------------------------------------


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_name_that_resolves_elsewhere_by_the_time_of_sending_is_never_connected_to(
    app, client, make, login, name_server, address, no_sockets
):
    user = make.user()
    headers = login(user)
    subscribed = client.post(
        f"{API}/subscriptions", json=body(f"https://{FCM}/fcm/send/x"), headers=headers
    )
    assert subscribed.status_code == 201
    name_server.names[FCM] = [address]  # e.g. a short-lived DNS record, changed since
    [result] = client.post(f"{API}/test", headers=headers).json["results"]
    assert result == {
        "subscription_id": subscribed.json["id"],
        "device": None,
        "status": None,
        "outcome": "failed",
        "code": "blocked",
        "reason": (
            "Not sent: the endpoint is not a known push service's, or its address is not public."
        ),
        "attempts": 1,
    }
    assert name_server.asked[-1] == FCM


@pytest.mark.parametrize("endpoint", [*ADDRESS_ENDPOINTS, *LOOK_ALIKES])
def test_an_endpoint_stored_before_the_rules_is_never_connected_to(
    app, client, make, login, name_server, endpoint, no_sockets
):
    user = make.user()
    subscription_id = store(app, user, endpoint)
    [result] = client.post(f"{API}/test", headers=login(user)).json["results"]
    assert (result["subscription_id"], result["code"]) == (str(subscription_id), "blocked")
    assert (result["status"], result["attempts"]) == (None, 0)
    assert name_server.asked == []
    listed = client.get(f"{API}/subscriptions", headers=login(user)).json
    assert listed[0]["failure_count"] == 1  # counted, so that it is seen


def test_the_scheduler_is_held_to_the_same_rules(app, make, name_server, no_sockets):
    user = make.user()
    store(app, user, "https://169.254.169.254/latest/meta-data/iam/")
    name_server.names[FCM] = ["10.0.0.1"]
    store(app, user, f"https://{FCM}/fcm/send/x")
    with app.app_context():
        deliveries = send_to_user(user.id, build_payload("meeting_reminder", uuid.uuid4()))
    assert [d.code for d in deliveries] == ["blocked", "blocked"]


def test_the_connection_goes_to_the_address_that_was_checked(app, name_server, monkeypatch):
    """Resolved once, checked, and that address connected to: no second look-up that could
    answer differently."""
    tried: list[Any] = []

    def record(address: Any, *args: Any, **kwargs: Any) -> Any:
        tried.append(address)
        raise OSError("not connecting in a test")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", record)
    name_server.names[FCM] = [PUBLIC, "2a00:1450:400f:804::200a"]
    target = PushTarget(uuid.uuid4(), f"https://{FCM}/fcm/send/x", *keys(), None)
    with app.app_context():
        delivery = deliver(target, build_payload("test"))
    assert delivery.code == "unreachable"
    attempts = app.config["PUSH_ATTEMPTS"]
    assert tried == [(PUBLIC, 443), ("2a00:1450:400f:804::200a", 443)] * attempts
    assert name_server.asked == [FCM] * attempts


def test_a_local_push_service_name_that_resolves_elsewhere_is_not_connected_to(
    app, make, name_server, monkeypatch, no_sockets
):
    name_server.names["localhost"] = ["10.0.0.1"]
    target = PushTarget(uuid.uuid4(), "http://localhost:8123/push/x", *keys(), None)
    with app.app_context():
        assert deliver(target, build_payload("test")).code == "blocked"
        monkeypatch.setitem(app.config, "TESTING", False)  # and without the switch, not at all
        name_server.names["localhost"] = ["127.0.0.1"]
        local = PushTarget(uuid.uuid4(), "http://127.0.0.1:8123/push/x", *keys(), None)
        assert deliver(local, build_payload("test")).code == "blocked"


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_only_public_addresses_count_as_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", [PUBLIC, "2a00:1450:400f:804::200a", "::ffff:142.250.74.42"])
def test_public_addresses_do(address):
    assert is_public(address)


# --- What a response may say ----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        (400, {}),
        (401, {}),
        (403, {}),
        (413, {}),
        (418, {}),
        (302, {"Location": "http://127.0.0.1:1/elsewhere"}),
        (307, {"Location": "http://169.254.169.254/latest/meta-data/"}),
        (500, {}),
        (429, {"Retry-After": "3600"}),
    ],
    ids=lambda answer: str(answer[0]),
)
def test_no_text_of_the_push_services_reaches_a_response(
    app, client, make, login, push_service, answer
):
    status, headers = answer
    user = make.user()
    browser = push_service.subscription()
    client.post(f"{API}/subscriptions", json=browser.as_json(), headers=login(user))
    push_service.answer(browser, *[(status, headers, TEXT_OF_THEIRS.encode())] * 3)
    response = client.post(f"{API}/test", headers=login(user))
    assert response.status_code == 200
    assert TEXT_OF_THEIRS not in response.get_data(as_text=True)
    [result] = response.json["results"]
    assert result["status"] == status and result["outcome"] == "failed"
    if 300 <= status < 400:  # a redirect is an answer, not followed anywhere
        assert result["code"] == "refused" and "not followed" in result["reason"]
        assert len(push_service.attempts_at(browser)) == 1


class Listener:
    """A TCP port on 127.0.0.1 that accepts connections and says nothing (as a TLS server, or a
    push service that has stopped answering, would to a plain request)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    silent = Listener()
    yield silent
    silent.close()


def test_a_closed_port_and_a_silent_listener_look_the_same(
    app, client, make, login, monkeypatch, listener
):
    """Which ports are open on the server's network is not for a caller to learn: a refused
    connection and one that never answers give the same code and sentence."""
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setitem(app.config, "PUSH_ATTEMPTS", 1)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    results = []
    for port in (closed, listener.port):
        user = make.user()
        endpoint = f"https://127.0.0.1:{port}/push/x"
        assert (
            client.post(
                f"{API}/subscriptions", json=body(endpoint), headers=login(user)
            ).status_code
            == 201
        )
        [result] = client.post(f"{API}/test", headers=login(user)).json["results"]
        results.append({k: v for k, v in result.items() if k != "subscription_id"})
    assert (
        results[0]
        == results[1]
        == {
            "device": None,
            "status": None,
            "outcome": "failed",
            "code": "unreachable",
            "reason": "Could not reach the push service.",
            "attempts": 1,
        }
    )


# --- A slow push service holds no request thread ------------------------------------------


def test_the_test_push_ends_by_its_deadline_however_slow_the_push_service(
    app, client, make, login, monkeypatch, listener
):
    monkeypatch.setitem(app.config, "PUSH_TEST_DEADLINE_SECONDS", 1.0)
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 30.0)
    user = make.user()
    headers = login(user)
    for n in range(3):
        endpoint = f"http://127.0.0.1:{listener.port}/push/{n}"
        assert (
            client.post(f"{API}/subscriptions", json=body(endpoint), headers=headers).status_code
            == 201
        )
    started = time.monotonic()
    results = client.post(f"{API}/test", headers=headers).json["results"]
    took = time.monotonic() - started
    assert 0.9 <= took < 3, took
    assert [r["code"] for r in results] == ["unreachable", "not_tried", "not_tried"]
    assert [r["attempts"] for r in results] == [1, 0, 0]
    # Not tried is not a failure of the subscription's.
    listed = client.get(f"{API}/subscriptions", headers=headers).json
    assert sorted(s["failure_count"] for s in listed) == [0, 0, 1]


def test_a_push_service_that_never_answers_times_out(app, monkeypatch, listener):
    monkeypatch.setitem(app.config, "PUSH_TIMEOUT_SECONDS", 0.3)
    target = PushTarget(uuid.uuid4(), f"http://127.0.0.1:{listener.port}/push/x", *keys(), None)
    started = time.monotonic()
    with app.app_context():
        delivery = deliver(target, build_payload("test"))
    took = time.monotonic() - started
    assert delivery.code == "unreachable" and delivery.attempts == app.config["PUSH_ATTEMPTS"]
    assert took < 0.3 * app.config["PUSH_ATTEMPTS"] + 1.5, took


# --- How many, and how often --------------------------------------------------------------


def test_a_user_keeps_at_most_the_cap_and_the_least_recently_subscribed_goes(
    app, client, make, login, monkeypatch, no_sockets
):
    monkeypatch.setitem(app.config, "PUSH_MAX_SUBSCRIPTIONS_PER_USER", 3)
    user, neighbour = make.user(), make.user()
    headers = login(user)
    theirs = client.post(
        f"{API}/subscriptions",
        json=body(f"https://{FCM}/fcm/send/neighbour"),
        headers=login(neighbour),
    )
    ids = []
    for n in range(3):
        response = client.post(
            f"{API}/subscriptions", json=body(f"https://{FCM}/fcm/send/{n}"), headers=headers
        )
        assert response.status_code == 201
        ids.append(response.json["id"])
    # The first device subscribes again (the browser does on each start): it is the newest now.
    again = client.post(
        f"{API}/subscriptions", json=body(f"https://{FCM}/fcm/send/0"), headers=headers
    )
    assert again.status_code == 200 and again.json["id"] == ids[0]
    fourth = client.post(
        f"{API}/subscriptions", json=body(f"https://{FCM}/fcm/send/3"), headers=headers
    )
    assert fourth.status_code == 201
    listed = {s["id"] for s in client.get(f"{API}/subscriptions", headers=headers).json}
    assert listed == {ids[0], ids[2], fourth.json["id"]}  # the second, least recent, went
    # Another user's are not theirs to count.
    assert [s["id"] for s in client.get(f"{API}/subscriptions", headers=login(neighbour)).json] == [
        theirs.json["id"]
    ]


def test_the_default_cap_is_ten(app):
    with app.app_context():
        assert max_subscriptions() == 10


def test_a_send_goes_to_no_more_subscriptions_than_the_cap(
    app, client, make, login, monkeypatch, push_service
):
    user = make.user()
    for _ in range(4):  # more than the cap, as a race between two subscribes could leave
        browser = push_service.subscription()
        store(app, user, browser.endpoint)
    monkeypatch.setitem(app.config, "PUSH_MAX_SUBSCRIPTIONS_PER_USER", 2)
    results = client.post(f"{API}/test", headers=login(user)).json["results"]
    assert len(results) == 2
    assert len(push_service.attempts) == 2


def test_the_test_push_is_rate_limited_per_user(database_url, make):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
            "JWT_SECRET_KEY": "test-jwt-secret-key-that-is-long-enough-for-hs256",
            "TESTING": True,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_PUSH_TEST": "2 per minute",
        }
    )
    try:
        client = app.test_client()
        first, second = make.user(), make.user()

        def test_push(user: Any, address: str) -> Any:
            token = client.post(
                "/api/v1/auth/login", json={"email": user.email, "password": Factory.PASSWORD}
            )
            return client.post(
                f"{API}/test",
                headers={"Authorization": f"Bearer {token.json['access_token']}"},
                environ_base={"REMOTE_ADDR": address},
            )

        assert test_push(first, "10.0.0.1").status_code == 200
        assert test_push(first, "10.0.0.2").status_code == 200
        refused = test_push(first, "10.0.0.3")  # another address does not help
        assert refused.status_code == 429
        assert refused.mimetype == "application/problem+json"
        assert refused.json["code"] == "too_many_requests"
        assert int(refused.headers["Retry-After"]) > 0
        assert test_push(second, "10.0.0.1").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_429_of_the_test_push_is_documented(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert "429" in paths[f"{API}/test"]["post"]["responses"]
