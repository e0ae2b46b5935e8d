"""Signing in, token rotation and revocation."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from api.accounts.models import User
from api.auth.models import TokenFamily
from api.extensions import db


def _login(client, email, password="demo1234"):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_wrong_password_unknown_user_and_disabled_user_get_the_same_401(client, make):
    active = make.user("specialist")
    disabled = make.user("specialist", is_active=False)
    answers = [
        _login(client, active.email, "wrong-password"),
        _login(client, "nobody@demo.no"),
        _login(client, disabled.email),
    ]
    assert {r.status_code for r in answers} == {401}
    assert {r.mimetype for r in answers} == {"application/problem+json"}
    assert len({json.dumps(r.json, sort_keys=True) for r in answers}) == 1


def test_email_is_matched_without_regard_to_case_and_spaces(client, make):
    user = make.user("specialist")
    assert _login(client, f"  {user.email.upper()} ").status_code == 200


def test_passwords_are_stored_as_argon2_hashes(make):
    user = make.user("specialist")
    assert user.password_hash.startswith("$argon2id$")


def test_only_a_testing_app_hashes_with_the_cheapest_parameters(app):
    """The suite's app (TESTING) hashes cheaply so that thousands of sign-ins take seconds;
    any other app, and code outside an app, hashes at argon2-cffi's recommended cost."""
    from flask import Flask

    from api.auth.service import hash_password, password_matches

    strong = "$argon2id$v=19$m=65536,t=3,p=4$"
    with app.app_context():
        assert hash_password("hemmelig").startswith("$argon2id$v=19$m=8,t=1,p=1$")
    with Flask("production-like").app_context():
        hashed = hash_password("hemmelig")
        assert hashed.startswith(strong)
        assert password_matches(hashed, "hemmelig")
        assert not password_matches(hashed, "Hemmelig")
    assert hash_password("hemmelig").startswith(strong)


@pytest.fixture
def no_grace(app, monkeypatch):
    """A second use of a refresh token counts as reuse at once (no grace period)."""
    monkeypatch.setitem(app.config, "REFRESH_REUSE_GRACE_SECONDS", 0)


def test_refresh_gives_a_new_pair_and_the_old_refresh_token_stops_working(client, make, no_grace):
    user = make.user("specialist")
    first = _login(client, user.email).json
    second = client.post("/api/v1/auth/refresh", headers=_bearer(first["refresh_token"]))
    assert second.status_code == 200
    assert second.json["refresh_token"] != first["refresh_token"]
    assert client.get("/api/v1/auth/me", headers=_bearer(second.json["access_token"])).json[
        "id"
    ] == str(user.id)
    replay = client.post("/api/v1/auth/refresh", headers=_bearer(first["refresh_token"]))
    assert replay.status_code == 401


def test_a_reused_refresh_token_revokes_its_whole_family(client, make, no_grace):
    user = make.user("specialist")
    first = _login(client, user.email).json
    rotated = client.post("/api/v1/auth/refresh", headers=_bearer(first["refresh_token"])).json
    # Someone replays the first refresh token (stolen, or a lost response retried)
    assert (
        client.post("/api/v1/auth/refresh", headers=_bearer(first["refresh_token"])).status_code
        == 401
    )
    # ...so every token of that sign-in stops working, including the legitimately rotated ones
    assert (
        client.post("/api/v1/auth/refresh", headers=_bearer(rotated["refresh_token"])).status_code
        == 401
    )
    assert (
        client.get("/api/v1/auth/me", headers=_bearer(rotated["access_token"])).status_code == 401
    )


def test_other_sign_ins_survive_when_one_family_is_revoked(client, make):
    user = make.user("specialist")
    phone = _login(client, user.email).json
    laptop = _login(client, user.email).json
    client.post("/api/v1/auth/logout", headers=_bearer(phone["access_token"]))
    assert client.get("/api/v1/auth/me", headers=_bearer(laptop["access_token"])).status_code == 200


def test_logout_revokes_the_access_token_and_its_refresh_token(client, make):
    user = make.user("specialist")
    tokens = _login(client, user.email).json
    assert (
        client.post("/api/v1/auth/logout", headers=_bearer(tokens["access_token"])).status_code
        == 204
    )
    assert client.get("/api/v1/auth/me", headers=_bearer(tokens["access_token"])).status_code == 401
    assert (
        client.post("/api/v1/auth/refresh", headers=_bearer(tokens["refresh_token"])).status_code
        == 401
    )
    family = db.session.scalars(db.select(TokenFamily)).one()
    assert family.revoked_reason == "logout"


def test_logout_with_the_refresh_token_also_ends_the_sign_in(client, make):
    user = make.user("specialist")
    tokens = _login(client, user.email).json
    assert (
        client.post("/api/v1/auth/logout", headers=_bearer(tokens["refresh_token"])).status_code
        == 204
    )
    assert client.get("/api/v1/auth/me", headers=_bearer(tokens["access_token"])).status_code == 401


def test_a_disabled_account_loses_access_at_once(client, make):
    user = make.user("specialist")
    tokens = _login(client, user.email).json
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert (
        client.get("/api/v1/participants", headers=_bearer(tokens["access_token"])).status_code
        == 401
    )
    assert (
        client.post("/api/v1/auth/refresh", headers=_bearer(tokens["refresh_token"])).status_code
        == 401
    )


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _unsigned(token: str) -> str:
    _, payload, _ = token.split(".")
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{header}.{payload}."


@pytest.mark.parametrize(
    "mangle",
    [_tamper, _unsigned, lambda t: t[:-4], lambda t: "garbage"],
    ids=["tampered-payload", "alg-none", "truncated", "not-a-jwt"],
)
def test_forged_tokens_are_refused(client, make, mangle):
    user = make.user("specialist")
    token = _login(client, user.email).json["access_token"]
    response = client.get("/api/v1/participants", headers=_bearer(mangle(token)))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_an_expired_access_token_is_refused_with_a_hint_to_refresh(app, client, make):
    user = make.user("specialist")
    family = TokenFamily(user_id=user.id)
    db.session.add(family)
    db.session.commit()
    with app.test_request_context():
        token = create_access_token(
            str(user.id),
            expires_delta=timedelta(seconds=-10),
            additional_claims={"fam": str(family.id)},
        )
    response = client.get("/api/v1/participants", headers=_bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json["detail"]


def test_tokens_of_the_wrong_type_are_refused(client, make):
    user = make.user("specialist")
    tokens = _login(client, user.email).json
    assert (
        client.get("/api/v1/participants", headers=_bearer(tokens["refresh_token"])).status_code
        == 401
    )
    assert (
        client.post("/api/v1/auth/refresh", headers=_bearer(tokens["access_token"])).status_code
        == 401
    )


def test_a_request_without_a_token_is_told_to_sign_in(client):
    response = client.get("/api/v1/participants")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Sign in" in response.json["detail"]
