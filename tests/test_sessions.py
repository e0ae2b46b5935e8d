"""Sign-ins that survive the honest race, and sign-ins that end when they must.

A phone back online after a while refreshes its token from the page and from the service worker
at once: the second refresh with the same token, seconds after the first, gets the same new pair
instead of ending the sign-in. A reuse after that still ends it. And a password reset, a
deactivation, a new role or team, or "sign out all devices" end every sign-in of the user at
once: their access and refresh tokens answer 401 on the very next request.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from api.auth.models import RefreshToken, TokenFamily
from api.extensions import db
from tests.factories import Factory

REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _sign_in(client, user) -> dict:
    response = client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": Factory.PASSWORD}
    )
    assert response.status_code == 200, response.json
    return response.json


def _works(client, tokens: dict) -> bool:
    """Whether both tokens of a pair are still accepted (the refresh token is not spent)."""
    return client.get(ME, headers=_bearer(tokens["access_token"])).status_code == 200


def _refresh_ok(client, tokens: dict) -> bool:
    return client.post(REFRESH, headers=_bearer(tokens["refresh_token"])).status_code == 200


def _family_revoked() -> list[str | None]:
    db.session.rollback()
    return [f.revoked_reason for f in db.session.scalars(select(TokenFamily))]


# --- The honest race ------------------------------------------------------------------------


def test_the_same_refresh_token_twice_within_seconds_gets_the_same_pair_and_ends_nothing(
    client, make
):
    user = make.user("specialist")
    first = _sign_in(client, user)
    page = client.post(REFRESH, headers=_bearer(first["refresh_token"]))
    worker = client.post(REFRESH, headers=_bearer(first["refresh_token"]))
    assert page.status_code == worker.status_code == 200, worker.json
    assert page.json["access_token"] == worker.json["access_token"]
    assert page.json["refresh_token"] == worker.json["refresh_token"]
    assert _family_revoked() == [None]
    assert _works(client, worker.json)
    assert _refresh_ok(client, worker.json)  # and the pair goes on rotating


def test_a_second_refresh_after_the_grace_period_still_ends_the_sign_in(client, make):
    user = make.user("specialist")
    first = _sign_in(client, user)
    rotated = client.post(REFRESH, headers=_bearer(first["refresh_token"])).json
    for token in db.session.scalars(select(RefreshToken).where(RefreshToken.used_at.is_not(None))):
        token.used_at -= timedelta(minutes=1)  # the first exchange happened a minute ago
    db.session.commit()
    replay = client.post(REFRESH, headers=_bearer(first["refresh_token"]))
    assert replay.status_code == 401
    assert _family_revoked() == ["refresh token reused"]
    assert not _works(client, rotated)
    assert not _refresh_ok(client, rotated)


def test_a_late_twin_gets_the_newest_pair_when_the_winner_has_refreshed_again(client, make):
    """The winner refreshed twice within the grace period (a retry): the late twin gets the
    pair that is still fresh, not one already spent, which would end the sign-in later."""
    user = make.user("specialist")
    first = _sign_in(client, user)
    second = client.post(REFRESH, headers=_bearer(first["refresh_token"])).json
    third = client.post(REFRESH, headers=_bearer(second["refresh_token"])).json
    twin = client.post(REFRESH, headers=_bearer(first["refresh_token"]))
    assert twin.status_code == 200
    assert twin.json["refresh_token"] == third["refresh_token"]
    assert _family_revoked() == [None]
    assert _refresh_ok(client, third)


def test_refreshes_with_one_token_at_the_same_moment_all_get_one_pair(app: Flask, make):
    """Four requests at once with the same refresh token (threads, the real database): all
    succeed with the same pair, and the sign-in lives on."""
    user = make.user("specialist")
    first = _sign_in(app.test_client(), user)
    # The sign-in ran in this thread's app context, whose session would keep SQLite's write
    # lock (a request that writes begins with it) while the threads wait for it.
    db.session.rollback()
    barrier = threading.Barrier(4)
    answers: list = []

    def refresh() -> None:
        barrier.wait(10)
        answers.append(app.test_client().post(REFRESH, headers=_bearer(first["refresh_token"])))

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [a.status_code for a in answers] == [200] * 4, [a.json for a in answers]
    assert len({a.json["refresh_token"] for a in answers}) == 1
    assert _family_revoked() == [None]


# --- Ending every sign-in ---------------------------------------------------------------------


def _two_sign_ins(client, user) -> list[dict]:
    phone, laptop = _sign_in(client, user), _sign_in(client, user)
    assert _works(client, phone) and _works(client, laptop)
    return [phone, laptop]


def _all_ended(client, pairs: list[dict]) -> bool:
    return not any(_works(client, p) or _refresh_ok(client, p) for p in pairs)


def test_a_password_reset_ends_every_sign_in_of_the_user(client, make, login):
    user, other = make.user("specialist"), make.user("specialist")
    admin = login(make.user("admin"))
    pairs, others = _two_sign_ins(client, user), _two_sign_ins(client, other)
    reset = client.patch(
        f"/api/v1/users/{user.id}", json={"password": "et nytt og langt ord for meg"}, headers=admin
    )
    assert reset.status_code == 200, reset.json
    assert _all_ended(client, pairs)
    assert all(_works(client, p) for p in others)  # nobody else's
    answer = client.get(ME, headers=_bearer(pairs[0]["access_token"]))
    assert answer.json["code"] == "signed_out"


def test_deactivation_ends_every_sign_in_and_reactivation_brings_none_back(client, make, login):
    user = make.user("specialist")
    admin = login(make.user("admin"))
    pairs = _two_sign_ins(client, user)
    off = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=admin)
    assert off.status_code == 200
    assert _all_ended(client, pairs)
    on = client.patch(f"/api/v1/users/{user.id}", json={"is_active": True}, headers=admin)
    assert on.status_code == 200
    assert _all_ended(client, pairs)
    assert _works(client, _sign_in(client, user))  # a new sign-in works


def test_a_new_role_or_team_ends_every_sign_in(client, make, login):
    admin = login(make.user("admin"))
    for change in ({"role": "supervisor"}, {"team_id": str(make.team().id)}):
        user = make.user("specialist")
        pairs = _two_sign_ins(client, user)
        moved = client.patch(f"/api/v1/users/{user.id}", json=change, headers=admin)
        assert moved.status_code == 200, moved.json
        assert _all_ended(client, pairs), change


def test_a_new_name_ends_no_sign_in(client, make, login):
    user = make.user("specialist")
    admin = login(make.user("admin"))
    pairs = _two_sign_ins(client, user)
    renamed = client.patch(f"/api/v1/users/{user.id}", json={"name": "Nytt Navn"}, headers=admin)
    assert renamed.status_code == 200
    assert all(_works(client, p) for p in pairs)


def test_sign_out_all_devices_ends_every_sign_in_of_oneself(client, make):
    user, other = make.user("specialist"), make.user("specialist")
    pairs, others = _two_sign_ins(client, user), _two_sign_ins(client, other)
    ended = client.post("/api/v1/auth/sign-out-all", headers=_bearer(pairs[0]["access_token"]))
    assert ended.status_code == 204
    assert _all_ended(client, pairs)
    assert all(_works(client, p) for p in others)


def test_an_admin_signs_a_user_out_of_every_device(client, make, login):
    user = make.user("specialist")
    admin = login(make.user("admin"))
    pairs = _two_sign_ins(client, user)
    ended = client.post(f"/api/v1/users/{user.id}/sign-out-all", headers=admin)
    assert ended.status_code == 204
    assert _all_ended(client, pairs)
    assert _works(client, _sign_in(client, user))
    missing = client.post(f"/api/v1/users/{Factory().team().id}/sign-out-all", headers=admin)
    assert missing.status_code == 404
    refused = client.post(
        f"/api/v1/users/{user.id}/sign-out-all", headers=_bearer(pairs[0]["access_token"])
    )
    assert refused.status_code == 401  # its own sign-in is over, and it is no admin anyway
