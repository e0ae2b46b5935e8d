"""`flask ips ...` administration commands."""

from api.accounts.models import Team, User
from api.auth.service import password_matches
from api.extensions import db


def test_create_team_and_user_from_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["ips", "create-team", "IPS Tromsø"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "ips",
            "create-user",
            "--email",
            "Ny@Demo.no",
            "--name",
            "Ny",
            "--role",
            "specialist",
            "--team",
            "IPS Tromsø",
            "--password",
            "tre ord om sommeren",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ny@demo.no"))
        assert user is not None and user.role == "specialist"
        assert db.session.get(Team, user.team_id).name == "IPS Tromsø"
        assert password_matches(user.password_hash, "tre ord om sommeren")


def test_the_command_line_refuses_bad_input_with_a_message(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "ips",
            "create-user",
            "--email",
            "x@demo.no",
            "--name",
            "X",
            "--role",
            "specialist",
            "--team",
            "No such team",
            "--password",
            "tre ord om sommeren",
        ]
    )
    assert result.exit_code != 0
    assert "No team called" in result.output
    runner.invoke(args=["ips", "create-team", "Dup"])
    result = runner.invoke(args=["ips", "create-team", "Dup"])
    assert result.exit_code != 0 and "already exists" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
