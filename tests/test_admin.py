"""Admins manage teams and accounts; bad input is refused with a message and changes nothing."""

from api.accounts.models import User
from api.extensions import db


def _count_users():
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def test_an_admin_creates_a_specialist_who_can_sign_in(client, make, login):
    admin = make.user("admin")
    team = make.team()
    response = client.post(
        "/api/v1/users",
        headers=login(admin),
        json={
            "email": "Ny.Spesialist@Demo.no",
            "name": "Ny Spesialist",
            "role": "specialist",
            "team_id": str(team.id),
            "password": "en lang sti langs fjorden",
        },
    )
    assert response.status_code == 201, response.json
    assert response.json["email"] == "ny.spesialist@demo.no"
    assert "password" not in response.json
    signed_in = client.post(
        "/api/v1/auth/login",
        json={"email": "ny.spesialist@demo.no", "password": "en lang sti langs fjorden"},
    )
    assert signed_in.status_code == 200


def test_a_specialist_without_a_team_is_refused_and_nothing_is_written(client, make, login):
    headers = login(make.user("admin"))
    before = _count_users()
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "email": "x@demo.no",
            "name": "X",
            "role": "specialist",
            "password": "en lang sti langs fjorden",
        },
    )
    assert response.status_code == 422
    assert "team_id" in response.json["errors"]
    db.session.expire_all()
    assert _count_users() == before


def test_moving_a_user_to_a_team_that_does_not_exist_is_refused(client, make, login):
    admin = make.user("admin")
    specialist = make.user("specialist")
    response = client.patch(
        f"/api/v1/users/{specialist.id}",
        headers=login(admin),
        json={"team_id": "00000000-0000-7000-8000-000000000000"},
    )
    assert response.status_code == 422
    assert response.json["errors"] == {"team_id": "No team with this id."}


def test_a_participant_login_is_linked_to_its_participant(client, make, login):
    admin = make.user("admin")
    specialist = make.user("specialist")
    participant = make.participant(specialist)
    response = client.post(
        "/api/v1/users",
        headers=login(admin),
        json={
            "email": "deltaker@demo.no",
            "name": "Deltaker",
            "role": "participant",
            "team_id": str(specialist.team_id),
            "participant_id": str(participant.id),
            "password": "en lang sti langs fjorden",
        },
    )
    assert response.status_code == 201, response.json
    me = client.post(
        "/api/v1/auth/login",
        json={"email": "deltaker@demo.no", "password": "en lang sti langs fjorden"},
    ).json["user"]
    assert me["participant_id"] == str(participant.id)
