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
    assert body["user"] == {
        "id": str(user.id),
        "role": "specialist",
        "team_id": str(user.team_id),
        "name": user.name,
        "email": user.email,
        "participant_id": None,
    }


def test_health_check_answers_503_and_names_the_database_when_it_is_down(tmp_path):
    from api import create_app

    app = create_app(
        {
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2",
            "SECRET_KEY": "x" * 40,
            "JWT_SECRET_KEY": "y" * 40,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"].startswith("error")


def test_the_app_shell_is_served_at_the_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Feltlogg" in response.data
