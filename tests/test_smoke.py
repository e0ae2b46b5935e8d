"""The first things a person tries: the health check and signing in."""


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_a_specialist_signs_in_and_gets_tokens(client, make):
    user = make.user("specialist")
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "demo1234"})
    assert response.status_code == 200
    body = response.json
    assert body["access_token"] and body["refresh_token"]
    assert body["user"] == {"id": str(user.id), "role": "specialist", "team_id": str(user.team_id),
                            "name": user.name, "email": user.email, "participant_id": None}
