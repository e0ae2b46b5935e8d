"""Protection around the API: rate limits (memory and Redis), growing delays after failed
sign-ins, security headers, CORS, body size, and tokens that must be refused."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from api import PWA_DIST, PWA_PLACEHOLDER, create_app
from api.config import load_config
from api.extensions import db
from api.security import limits
from api.security.headers import CONTENT_SECURITY_POLICY
from api.security.lockout import Lockout
from tests.factories import Factory

JWT_KEY = "test-jwt-secret-key-that-is-long-enough-for-hs256"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'; object-src 'none'"
)
LOGIN = "/api/v1/auth/login"
WAIT = re.compile(r"try again in (\d+) (seconds?|minutes)\.$")
# Client addresses: someone failing on purpose, and the account's owner somewhere else.
ATTACKER = "10.0.0.66"
OWNER = "10.0.0.7"


@pytest.fixture
def make_app(database_url: str) -> Iterator[Any]:
    """make_app(**config) -> an app of its own on the test database (limits off unless set)."""
    apps: list[Flask] = []

    def _make(**config: Any) -> Flask:
        app = create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
                "JWT_SECRET_KEY": JWT_KEY,
                "TESTING": True,
                **config,
            }
        )
        apps.append(app)
        return app

    yield _make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the real Redis; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis does not answer at {REDIS_URL} (set TEST_REDIS_URL): {exc}")
    prefix = f"feltlogg-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(match=f"*{prefix}*"):
        client.delete(key)
    client.close()


def _login(client: FlaskClient, email: str, password: str = "wrong", address: str = "10.0.0.1"):
    return client.post(
        LOGIN, json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def _enable_loggers(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """The migrations' logging.config.fileConfig() disables the loggers that exist when it
    runs (the test database is migrated in this process): a test that reads the log turns
    the ones it reads back on."""
    for name in names:
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


def _assert_too_many(response: Any, code: str = "too_many_requests") -> int:
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert set(body) == {"type", "title", "status", "detail", "code"}
    assert (body["type"], body["title"], body["status"], body["code"]) == (
        "about:blank",
        "Too Many Requests",
        429,
        code,
    )
    match = WAIT.search(body["detail"])
    assert match, body["detail"]
    seconds = int(response.headers["Retry-After"])
    assert seconds > 0
    unit = 60 if match.group(2) == "minutes" else 1
    assert abs(int(match.group(1)) * unit - seconds) < unit
    return seconds


# --- Configuration ----------------------------------------------------------------------------


def test_limits_and_lockout_are_on_by_default_and_off_in_tests_unless_asked(tmp_path: Path):
    config = load_config(tmp_path, env={"SECRET_KEY": "s" * 40, "JWT_SECRET_KEY": "j" * 40})
    assert config["RATELIMIT_ENABLED"] is True
    assert config["RATELIMIT_LOGIN"] == "20 per minute"
    assert config["LOGIN_LOCKOUT"] == "5 per 15 minutes"
    assert config["LOGIN_LOCKOUT_MINUTES"] == 15
    assert "RATELIMIT_LOGIN_ACCOUNT" not in config
    assert config["REDIS_URL"] is None
    assert config["CORS_ORIGINS"] == ()

    testing = load_config(tmp_path, env={}, overrides={"TESTING": True, "SECRET_KEY": "s"})
    assert testing["RATELIMIT_ENABLED"] is False
    assert testing["LOGIN_LOCKOUT"] == ""

    env = {"RATELIMIT_ENABLED": "off", "CORS_ORIGINS": "https://a.example, https://b.example/"}
    config = load_config(tmp_path, env=env, overrides={"SECRET_KEY": "s"})
    assert config["RATELIMIT_ENABLED"] is False
    assert config["CORS_ORIGINS"] == ("https://a.example", "https://b.example")


def test_a_limit_that_does_not_parse_stops_the_app_at_start(make_app):
    with pytest.raises(RuntimeError, match="RATELIMIT_LOGIN must read like"):
        make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="ten a minute")


def test_the_suites_app_has_no_limiter(app: Flask):
    assert "feltlogg_limiter" not in app.extensions
    assert "feltlogg_lockout" not in app.extensions


# --- Rate limits --------------------------------------------------------------------------------


def _login_limit_is_enforced(app: Flask, make: Factory) -> None:
    user = make.user()
    client = app.test_client()
    for _ in range(3):
        assert _login(client, user.email).status_code == 401
    # Now even the right password waits: the limit counts attempts, not failures.
    seconds = _assert_too_many(_login(client, user.email, Factory.PASSWORD))
    assert seconds <= 60
    # Another address has attempts of its own.
    assert _login(client, user.email, Factory.PASSWORD, address="10.0.0.9").status_code == 200


def test_login_is_limited_per_address_in_memory(make_app, make):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    assert app.extensions["feltlogg_limiter"]._storage_uri == "memory://"
    _login_limit_is_enforced(app, make)


def test_login_is_limited_per_address_in_redis(make_app, make, redis_prefix):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
        REDIS_URL=REDIS_URL,
        RATELIMIT_KEY_PREFIX=redis_prefix,
    )
    _login_limit_is_enforced(app, make)
    keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*")]
    assert keys, "the counters are in Redis"
    assert not any("@" in key for key in keys), "no e-mail address is written to Redis"

    # A second app (another worker) on the same Redis counts with the first.
    other = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
        REDIS_URL=REDIS_URL,
        RATELIMIT_KEY_PREFIX=redis_prefix,
    )
    _assert_too_many(_login(other.test_client(), "someone@test.no"))


def test_no_limit_counts_the_sign_ins_of_one_account_alone(make_app, make):
    # Every limit at its default: attempts at one account from many addresses are not added
    # up, since such a count would let anyone use up the owner's attempts.
    app = make_app(RATELIMIT_ENABLED=True)
    user = make.user()
    client = app.test_client()
    for n in range(12):
        assert _login(client, f"  {user.email.upper()} ", address=f"10.0.1.{n}").status_code == 401
    assert _login(client, user.email, Factory.PASSWORD, address=OWNER).status_code == 200


def test_a_login_body_without_an_email_is_limited_by_address_and_logs_no_error(
    make_app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    # flask-limiter skips a limit whose key is empty and logs an error each time.
    _enable_loggers(monkeypatch, "flask-limiter")
    caplog.set_level(logging.INFO)
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
    client = app.test_client()
    for body in ({"password": "wrong"}, {}):
        response = client.post(LOGIN, json=body, environ_base={"REMOTE_ADDR": OWNER})
        assert response.status_code == 422, response.json
    # The limit still applies to such bodies.
    _assert_too_many(
        client.post(LOGIN, json={"password": "wrong"}, environ_base={"REMOTE_ADDR": OWNER})
    )
    assert not [r for r in caplog.records if "Empty value found" in r.getMessage()]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_key_that_finds_nothing_counts_by_address_instead_of_skipping_the_limit(
    make_app, make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    _enable_loggers(monkeypatch, "flask-limiter")
    caplog.set_level(logging.INFO)
    monkeypatch.setitem(
        limits.ROUTE_LIMITS, "auth.login", (("RATELIMIT_LOGIN", "address", lambda: ""),)
    )
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="2 per minute")
    email = make.user().email
    client = app.test_client()
    assert _login(client, email, address=OWNER).status_code == 401
    assert _login(client, email, address=OWNER).status_code == 401
    _assert_too_many(_login(client, email, Factory.PASSWORD, address=OWNER))
    # Counted per client address under the marker, not for everyone at once.
    assert _login(client, email, Factory.PASSWORD, address=ATTACKER).status_code == 200
    assert not [r for r in caplog.records if "Empty value found" in r.getMessage()]


def test_refresh_is_limited_per_address(make_app, make):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_REFRESH="2 per minute")
    client = app.test_client()
    tokens = _login(client, make.user().email, Factory.PASSWORD).json
    for _ in range(2):
        response = client.post(
            "/api/v1/auth/refresh",
            headers={"Authorization": f"Bearer {tokens['refresh_token']}"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert response.status_code == 200, response.json
        tokens = response.json
    _assert_too_many(
        client.post(
            "/api/v1/auth/refresh",
            headers={"Authorization": f"Bearer {tokens['refresh_token']}"},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
    )


def test_sync_push_is_limited_per_user(make_app, make):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_SYNC_PUSH="2 per minute")
    client = app.test_client()
    team = make.team()
    first, second = make.user(team=team), make.user(team=team)

    def push(user: Any, address: str) -> Any:
        token = _login(client, user.email, Factory.PASSWORD).json["access_token"]
        return client.post(
            "/api/v1/sync/push",
            json={"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": []},
            headers={"Authorization": f"Bearer {token}"},
            environ_base={"REMOTE_ADDR": address},
        )

    assert push(first, "10.0.0.1").status_code == 200
    assert push(first, "10.0.0.2").status_code == 200
    _assert_too_many(push(first, "10.0.0.3"))
    assert push(second, "10.0.0.1").status_code == 200


def test_the_429_is_documented(client: FlaskClient):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/sync/push"):
        assert "429" in paths[path]["post"]["responses"], path


# --- Growing delays after failed sign-ins -------------------------------------------------------


def _lockout_app(make_app: Any, **config: Any) -> Flask:
    return make_app(**{"LOGIN_LOCKOUT": "5 per 15 minutes", "LOGIN_LOCKOUT_MINUTES": 15, **config})


def _lockout(app: Flask) -> Lockout:
    lockout: Lockout = app.extensions["feltlogg_lockout"]
    return lockout


def _lock_runs_out(app: Flask, email: str, address: str) -> None:
    """The pair's current lock ends, as it would once its delay has passed."""
    lockout = _lockout(app)
    lockout.storage.clear(lockout.keys(email, address).lock)


def _slows_the_pair_after_five_failures(app: Flask, make: Factory) -> None:
    user = make.user()
    client = app.test_client()
    stranger = "nobody-here@test.no"
    answers: dict[str, list[Any]] = {user.email: [], stranger: []}
    for email, seen in answers.items():
        for _ in range(7):
            response = _login(client, email, address=ATTACKER)
            seen.append((response.status_code, response.json, response.headers.get("Retry-After")))
    # Known or unknown address: the very same answers, so nothing tells them apart (the last
    # one's Retry-After is what is left of the lock, which may have ticked).
    assert answers[user.email][:6] == answers[stranger][:6]
    assert answers[user.email][6][:2] == answers[stranger][6][:2]
    statuses = [status for status, _, _ in answers[user.email]]
    assert statuses == [401, 401, 401, 401, 401, 429, 429]
    _, body, retry_after = answers[user.email][5]
    assert body["code"] == "sign_in_locked"
    assert body["detail"] == (
        "Too many failed sign-ins with this e-mail address from this network; "
        "try again in 60 seconds."
    )
    assert retry_after == "60"
    # Locked means locked for that pair, even with the right password (the e-mail address
    # written any way)...
    locked = _login(client, f"  {user.email.upper()} ", Factory.PASSWORD, address=ATTACKER)
    assert 55 <= _assert_too_many(locked, "sign_in_locked") <= 60
    # ...and for that pair only: the owner, elsewhere, signs in.
    assert _login(client, user.email, Factory.PASSWORD, address=OWNER).status_code == 200


def test_five_failed_sign_ins_slow_that_address_for_that_account_known_or_not(make_app, make):
    _slows_the_pair_after_five_failures(_lockout_app(make_app), make)


def test_the_delays_are_kept_in_redis(make_app, make, redis_prefix):
    app = _lockout_app(make_app, REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    _slows_the_pair_after_five_failures(app, make)
    keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).keys(f"*{redis_prefix}*")]
    assert keys, "the failures are in Redis"
    assert not any("@" in key or ATTACKER in key for key in keys), "only hashes of addresses"

    # A second app (another worker) on the same Redis sees the same lock.
    other = _lockout_app(make_app, REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    locked = _login(other.test_client(), "nobody-here@test.no", address=ATTACKER)
    _assert_too_many(locked, "sign_in_locked")


def _fifty_wrong_passwords_do_not_stop_the_owner(app: Flask, make: Factory) -> None:
    user = make.user()
    client = app.test_client()
    statuses = [_login(client, user.email, address=ATTACKER).status_code for _ in range(50)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    response = _login(client, user.email, Factory.PASSWORD, address=OWNER)
    assert response.status_code == 200, response.json


def test_50_wrong_passwords_from_one_address_do_not_stop_the_right_one_from_another(make_app, make):
    # Every limit at its default too.
    app = _lockout_app(make_app, RATELIMIT_ENABLED=True)
    _fifty_wrong_passwords_do_not_stop_the_owner(app, make)


def test_50_wrong_passwords_do_not_stop_the_owner_with_redis_either(make_app, make, redis_prefix):
    app = _lockout_app(
        make_app, RATELIMIT_ENABLED=True, REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix
    )
    _fifty_wrong_passwords_do_not_stop_the_owner(app, make)


def _waits_of_the_attacker(app: Flask, email: str) -> list[int]:
    client = app.test_client()
    for _ in range(5):
        assert _login(client, email, address=ATTACKER).status_code == 401
    waits = []
    for _ in range(6):
        waits.append(_assert_too_many(_login(client, email, address=ATTACKER), "sign_in_locked"))
        # Asking again while locked is refused without being counted: the same lock.
        again = _assert_too_many(_login(client, email, address=ATTACKER), "sign_in_locked")
        assert waits[-1] - 5 <= again <= waits[-1]
        _lock_runs_out(app, email, ATTACKER)
    return waits


def test_the_attackers_address_waits_twice_as_long_after_each_further_failure(make_app, make):
    app = _lockout_app(make_app)
    user = make.user()
    assert _waits_of_the_attacker(app, user.email) == [60, 120, 240, 480, 900, 900]
    # Meanwhile the owner's address has every free failure of its own, and signs in.
    client = app.test_client()
    for _ in range(5):
        assert _login(client, user.email, address=OWNER).status_code == 401
    assert _login(client, user.email, Factory.PASSWORD, address=OWNER).status_code == 200


def test_the_delays_grow_in_redis_too_up_to_login_lockout_minutes(make_app, make, redis_prefix):
    app = _lockout_app(
        make_app, LOGIN_LOCKOUT_MINUTES=5, REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix
    )
    assert _waits_of_the_attacker(app, make.user().email) == [60, 120, 240, 300, 300, 300]


def test_the_lock_ends_by_itself_and_the_next_one_is_longer(make_app, make):
    app = _lockout_app(make_app, LOGIN_LOCKOUT="2 per minute")
    _lockout(app).first_delay = 1
    user = make.user()
    client = app.test_client()
    assert _login(client, user.email).status_code == 401
    assert _login(client, user.email).status_code == 401
    response = _login(client, user.email)
    assert response.status_code == 429
    assert response.json["detail"].endswith("try again in 1 second.")
    time.sleep(1.2)
    response = _login(client, user.email)
    assert response.status_code == 429
    assert response.json["detail"].endswith("try again in 2 seconds.")
    time.sleep(2.2)
    assert _login(client, user.email, Factory.PASSWORD).status_code == 200


def test_a_success_clears_the_failures_of_its_pair_only(make_app, make):
    app = _lockout_app(make_app)
    user = make.user()
    client = app.test_client()
    for address in (OWNER, ATTACKER):
        for _ in range(5):
            assert _login(client, user.email, address=address).status_code == 401
        assert _assert_too_many(_login(client, user.email, address=address), "sign_in_locked") == 60
    _lock_runs_out(app, user.email, OWNER)
    assert _assert_too_many(_login(client, user.email, address=OWNER), "sign_in_locked") == 120
    _lock_runs_out(app, user.email, OWNER)
    assert _login(client, user.email, Factory.PASSWORD, address=OWNER).status_code == 200
    # Forgotten: five free failures again, and the next delay starts over at one minute.
    for _ in range(5):
        assert _login(client, user.email, address=OWNER).status_code == 401
    assert _assert_too_many(_login(client, user.email, address=OWNER), "sign_in_locked") == 60
    # The other address's pair is still locked.
    _assert_too_many(
        _login(client, user.email, Factory.PASSWORD, address=ATTACKER), "sign_in_locked"
    )


def test_behind_a_trusted_proxy_the_pair_is_the_client_the_proxy_names(make_app, make):
    app = _lockout_app(make_app, TRUSTED_PROXIES=1)
    email = make.user().email
    client = app.test_client()
    for _ in range(5):
        assert _login_via(client, email, "203.0.113.66").status_code == 401
    _assert_too_many(_login_via(client, email, "203.0.113.66"), "sign_in_locked")
    # The same proxy, another client behind it.
    assert _login_via(client, email, "203.0.113.7", Factory.PASSWORD).status_code == 200


def test_login_lockout_minutes_below_one_stops_the_app_at_start(make_app):
    with pytest.raises(RuntimeError, match="LOGIN_LOCKOUT_MINUTES must be at least 1"):
        _lockout_app(make_app, LOGIN_LOCKOUT_MINUTES=0)


# --- Headers ------------------------------------------------------------------------------------

STRICT_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _an_app_file() -> str:
    """A file the app serves besides index.html: a hashed asset when the app is built."""
    root = PWA_DIST if (PWA_DIST / "index.html").exists() else PWA_PLACEHOLDER
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "index.html")
    assets = [p for p in files if p.parent.name == "assets"]
    chosen = (assets or files or [root / "index.html"])[0]
    return "/" + chosen.relative_to(root).as_posix()


def test_the_policy_in_code_is_the_documented_one():
    assert CONTENT_SECURITY_POLICY == CSP


@pytest.mark.parametrize("path", ["/", "/api/v1/auth/me", "/api/v1/nothing", "/healthz", "asset"])
def test_every_response_carries_the_security_headers(client: FlaskClient, path: str):
    response = client.get(_an_app_file() if path == "asset" else path)
    assert response.status_code in (200, 401, 404)
    for name, value in STRICT_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "Strict-Transport-Security" not in response.headers
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_signed_in_api_answer_and_an_error_carry_them_too(client, make, login):
    headers = login(make.user())
    for response in (
        client.get("/api/v1/auth/me", headers=headers),
        client.post("/api/v1/sync/push", json={}, headers=headers),
    ):
        assert response.status_code in (200, 422)
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(app: Flask):
    plain = app.test_client().get("/")
    assert "Strict-Transport-Security" not in plain.headers
    secure = app.test_client().get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # A forwarded scheme counts only from a proxy the app was told to trust.
    forwarded = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forwarded.headers


def test_hsts_behind_a_trusted_proxy_and_its_client_address(make_app, make):
    app = make_app(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1 per minute")
    client = app.test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    # The limit counts the client the proxy names, not the proxy.
    email = make.user().email
    assert _login_via(client, email, "203.0.113.1").status_code == 401
    assert _login_via(client, email, "203.0.113.2").status_code == 401
    _assert_too_many(_login_via(client, email, "203.0.113.1"))


def _login_via(client: FlaskClient, email: str, forwarded_for: str, password: str = "wrong") -> Any:
    return client.post(
        LOGIN,
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )


def test_preferred_url_scheme_https_sends_hsts_everywhere(make_app):
    app = make_app(PREFERRED_URL_SCHEME="https")
    assert "Strict-Transport-Security" in app.test_client().get("/").headers


def test_the_api_docs_page_alone_runs_its_own_start_up_script_and_loads_nothing_from_elsewhere(
    client: FlaskClient,
):
    response = client.get("/api/docs")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert policy != CSP
    assert "script-src 'self' 'sha256-" in policy
    assert "http" not in policy  # no other host
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    # The hash is that of the page's own start-up script.
    script = re.search(rb"<script>(.*?)</script>", response.data, re.DOTALL)
    assert script
    digest = base64.b64encode(hashlib.sha256(script.group(1)).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    # The document it reads keeps the strict policy.
    assert client.get("/api/openapi.json").headers["Content-Security-Policy"] == CSP


# --- CORS ---------------------------------------------------------------------------------------


def test_cors_is_closed_by_default(client: FlaskClient):
    response = client.post(LOGIN, json={}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        LOGIN,
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_cors_answers_only_configured_origins_and_only_under_api(make_app):
    app = make_app(CORS_ORIGINS=("https://app.example",))
    client = app.test_client()
    good = client.post(LOGIN, json={}, headers={"Origin": "https://app.example"})
    assert good.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Origin" in good.headers["Vary"]
    assert "Retry-After" in good.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in good.headers

    preflight = client.options(
        LOGIN,
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]

    other = client.post(LOGIN, json={}, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    shell = client.get("/", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in shell.headers


# --- Body size ----------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_problem(client: FlaskClient, make, login):
    big = json.dumps({"email": "a@test.no", "password": "x" * (1024 * 1024)})
    for response in (
        client.post(LOGIN, data=big, content_type="application/json"),
        client.post(
            "/api/v1/sync/push",
            data=big,
            content_type="application/json",
            headers=login(make.user()),
        ),
    ):
        assert response.status_code == 413
        assert response.mimetype == "application/problem+json"
        assert response.json["detail"] == (
            "The request body is too large: the server accepts at most 1 MiB (1048576 bytes)."
        )


def test_a_big_login_body_is_a_413_with_the_limiter_on(make_app):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1 per minute")
    response = app.test_client().post(
        LOGIN, data="x" * (2 * 1024 * 1024), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


# --- Tokens -------------------------------------------------------------------------------------


def _unauthorized(response: Any) -> str:
    assert response.status_code == 401, response.json
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return str(response.json["detail"])


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def signed_in(client: FlaskClient, make: Factory) -> dict[str, Any]:
    response = client.post(LOGIN, json={"email": make.user().email, "password": Factory.PASSWORD})
    assert response.status_code == 200
    tokens = dict(response.json)
    tokens["claims"] = pyjwt.decode(tokens["access_token"], JWT_KEY, algorithms=["HS256"])
    return tokens


def _me(client: FlaskClient, token: str) -> Any:
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_the_genuine_token_works(client, signed_in):
    assert _me(client, signed_in["access_token"]).status_code == 200


def test_a_tampered_token_is_refused(client, signed_in):
    header, _payload, signature = signed_in["access_token"].split(".")
    claims = {**signed_in["claims"], "role": "admin"}
    assert "not valid" in _unauthorized(_me(client, f"{header}.{_b64(claims)}.{signature}"))


def test_an_expired_token_is_refused(client, signed_in):
    past = datetime.now(UTC) - timedelta(minutes=5)
    claims = {**signed_in["claims"], "exp": int(past.timestamp())}
    token = pyjwt.encode(claims, JWT_KEY, algorithm="HS256")
    assert "expired" in _unauthorized(_me(client, token))


def test_a_refresh_token_is_not_an_access_token(client, signed_in):
    _unauthorized(_me(client, signed_in["refresh_token"]))


def test_an_access_token_does_not_refresh(client, signed_in):
    response = client.post(
        "/api/v1/auth/refresh", headers={"Authorization": f"Bearer {signed_in['access_token']}"}
    )
    _unauthorized(response)


def test_alg_none_is_refused(client, signed_in):
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(signed_in['claims'])}."
    _unauthorized(_me(client, token))


@pytest.mark.filterwarnings("ignore:The HMAC key")
def test_another_algorithm_with_the_right_key_is_refused(client, signed_in):
    token = pyjwt.encode(signed_in["claims"], JWT_KEY, algorithm="HS512")
    _unauthorized(_me(client, token))


def test_a_token_without_expiry_is_refused_even_when_signed(client, signed_in):
    claims = {k: v for k, v in signed_in["claims"].items() if k != "exp"}
    token = pyjwt.encode(claims, JWT_KEY, algorithm="HS256")
    assert "not valid" in _unauthorized(_me(client, token))


def test_a_token_signed_with_another_key_is_refused(client, signed_in):
    token = pyjwt.encode(signed_in["claims"], "another-key-that-is-long-enough-too!!", "HS256")
    _unauthorized(_me(client, token))


def test_an_unreachable_redis_lets_sign_ins_through(
    make_app, make, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    _enable_loggers(monkeypatch, "api.security.lockout")
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="1 per minute",
        LOGIN_LOCKOUT="1 per minute",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    user = make.user()
    client = app.test_client()
    assert _login(client, user.email).status_code == 401
    assert _login(client, user.email).status_code == 401
    # Neither the limit (1 per minute) nor the delays (1 free failure) could count: both let
    # it in, and say so in the log.
    assert _login(client, user.email, Factory.PASSWORD).status_code == 200
    logged = [r.getMessage() for r in caplog.records]
    assert "Lockout storage unreachable; failed sign-in not counted" in logged
    assert "Lockout storage unreachable; not checking for a lockout" in logged
