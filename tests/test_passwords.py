"""Passwords people choose themselves: the policy, one-time links, and changing one's own.

An admin creates an account without a password and hands the new user a one-time link; the
user chooses their password with it (no admin ever knows it) and signs in. A forgotten password
gets a new link. Anyone changes their own password. New passwords are judged by length and a
list of common ones (NIST SP 800-63B), not by composition rules.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from api.auth.models import PasswordLink, TokenFamily
from api.extensions import db
from tests.factories import Factory

USERS = "/api/v1/users"
GOOD = "tre kaffe i lunsjen"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _sign_in(client, email: str, password: str):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


@pytest.fixture
def admin(make, login):
    return login(make.user("admin"))


def _invite(client, admin, make, email="ny.bruker@demo.no"):
    team = make.team()
    response = client.post(
        USERS,
        json={"email": email, "name": "Ny Bruker", "role": "specialist", "team_id": str(team.id)},
        headers=admin,
    )
    assert response.status_code == 201, response.json
    return response.json


def test_an_invited_user_chooses_their_own_password_and_signs_in(client, make, admin):
    created = _invite(client, admin, make)
    link = created["password_link"]
    assert link["purpose"] == "invite" and link["path"] == f"/#/password/{link['code']}"
    # Only a hash of the code is kept.
    stored = db.session.scalar(select(PasswordLink.code_hash))
    assert link["code"] not in stored and len(stored) == 64
    whose = client.post("/api/v1/auth/password-link/lookup", json={"code": link["code"]})
    assert whose.status_code == 200
    assert whose.json == {"email": "ny.bruker@demo.no", "name": "Ny Bruker", "purpose": "invite"}
    # Nobody can sign in before the password is chosen, not even with an empty one.
    assert _sign_in(client, "ny.bruker@demo.no", "x").status_code == 401
    chosen = client.post(
        "/api/v1/auth/password-link", json={"code": link["code"], "password": GOOD}
    )
    assert chosen.status_code == 204, chosen.json
    assert _sign_in(client, "ny.bruker@demo.no", GOOD).status_code == 200
    # The link works once.
    again = client.post("/api/v1/auth/password-link", json={"code": link["code"], "password": GOOD})
    assert again.status_code == 404 and again.json["code"] == "link_invalid"
    assert client.get(f"{USERS}/{created['id']}", headers=admin).json.get("password_link") is None


def test_a_reset_link_replaces_the_old_one_and_ends_every_sign_in(client, make, admin):
    user = make.user("specialist")
    old = _sign_in(client, user.email, Factory.PASSWORD).json
    first = client.post(f"{USERS}/{user.id}/password-link", headers=admin).json
    second = client.post(f"{USERS}/{user.id}/password-link", headers=admin).json
    assert second["purpose"] == "reset"
    # Until the link is used, the old password and sign-in still work.
    assert client.get("/api/v1/auth/me", headers=_bearer(old["access_token"])).status_code == 200
    stale = client.post(
        "/api/v1/auth/password-link", json={"code": first["code"], "password": GOOD}
    )
    assert stale.status_code == 404
    used = client.post(
        "/api/v1/auth/password-link", json={"code": second["code"], "password": GOOD}
    )
    assert used.status_code == 204
    assert client.get("/api/v1/auth/me", headers=_bearer(old["access_token"])).status_code == 401
    assert _sign_in(client, user.email, Factory.PASSWORD).status_code == 401
    assert _sign_in(client, user.email, GOOD).status_code == 200


def test_an_expired_link_or_a_deactivated_user_s_link_does_not_work(client, make, admin):
    created = _invite(client, admin, make)
    code = created["password_link"]["code"]
    link = db.session.scalar(select(PasswordLink))
    link.expires_at -= timedelta(days=4)
    db.session.commit()
    expired = client.post("/api/v1/auth/password-link/lookup", json={"code": code})
    assert expired.status_code == 404 and expired.json["code"] == "link_invalid"
    fresh = client.post(f"{USERS}/{created['id']}/password-link", headers=admin).json
    client.patch(f"{USERS}/{created['id']}", json={"is_active": False}, headers=admin)
    assert (
        client.post("/api/v1/auth/password-link", json={"code": fresh["code"], "password": GOOD})
    ).status_code == 404
    assert (
        client.post("/api/v1/auth/password-link/lookup", json={"code": "gjett"}).status_code == 404
    )


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("kort", False),
        ("fjorten tegn!!", False),  # 14
        ("femten tegn her", True),  # 15
        ("x" * 129, False),
        ("a" * 20, False),
        ("abababababababababab", False),
        ("1qaz2wsx3edc4rfv", False),  # on the list of common passwords
        ("feltlogg12345678", False),  # the service's name and a few more
        ("ny.bruker2026abc", False),  # the e-mail address and a few more
        ("blå hest på Torget", True),
    ],
)
def test_a_new_password_is_judged_by_length_and_commonness_not_composition(
    client, make, admin, password, accepted
):
    code = _invite(client, admin, make)["password_link"]["code"]
    response = client.post("/api/v1/auth/password-link", json={"code": code, "password": password})
    if accepted:
        assert response.status_code == 204, response.json
    else:
        assert response.status_code == 422, response.json
        assert response.json["code"] == "weak_password" and set(response.json["errors"]) == {
            "password"
        }
        # A refused password spends nothing: the link still works.
        assert (
            client.post("/api/v1/auth/password-link/lookup", json={"code": code}).status_code == 200
        )


def test_an_admin_setting_a_password_is_held_to_the_same_policy(client, make, admin):
    user = make.user("specialist")
    weak = client.patch(f"{USERS}/{user.id}", json={"password": "demo1234"}, headers=admin)
    assert weak.status_code == 422 and weak.json["code"] == "weak_password"
    assert _sign_in(client, user.email, Factory.PASSWORD).status_code == 200


def test_anyone_changes_their_own_password_and_their_other_sign_ins_end(client, make):
    user = make.user("participant", team=make.team())
    here = _sign_in(client, user.email, Factory.PASSWORD).json
    there = _sign_in(client, user.email, Factory.PASSWORD).json
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "feil", "new_password": GOOD},
        headers=_bearer(here["access_token"]),
    )
    assert wrong.status_code == 422 and set(wrong.json["errors"]) == {"current_password"}
    weak = client.post(
        "/api/v1/auth/password",
        json={"current_password": Factory.PASSWORD, "new_password": "kort"},
        headers=_bearer(here["access_token"]),
    )
    assert weak.status_code == 422 and set(weak.json["errors"]) == {"new_password"}
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": Factory.PASSWORD, "new_password": GOOD},
        headers=_bearer(here["access_token"]),
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/auth/me", headers=_bearer(here["access_token"])).status_code == 200
    assert client.get("/api/v1/auth/me", headers=_bearer(there["access_token"])).status_code == 401
    assert _sign_in(client, user.email, GOOD).status_code == 200
    reasons = sorted(str(f.revoked_reason) for f in db.session.scalars(select(TokenFamily)))
    assert reasons.count("password changed") == 1


def test_spent_and_expired_links_go_with_the_nightly_purge(client, make, admin):
    from api.common.model import utcnow
    from api.scheduler.jobs import purge_sign_ins

    first = _invite(client, admin, make, "en@demo.no")
    _invite(client, admin, make, "to@demo.no")
    client.post(
        "/api/v1/auth/password-link",
        json={"code": first["password_link"]["code"], "password": GOOD},
    )
    assert "0 password links" in purge_sign_ins(utcnow())  # a day's grace
    assert "2 password links" in purge_sign_ins(utcnow() + timedelta(days=5))
    assert db.session.scalar(select(PasswordLink.id)) is None
