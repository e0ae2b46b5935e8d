"""Fixtures: the app on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
a clean database for every test, and factories for the domain's records."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from api import create_app
from api.extensions import db
from tests.database import empty_every_table
from tests.factories import Factory
from tests.pgtemp import private_postgres_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    if TEST_DATABASE_URL:
        with private_postgres_database(TEST_DATABASE_URL) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'test.db'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
            "JWT_SECRET_KEY": "test-jwt-secret-key-that-is-long-enough-for-hs256",
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(app: Flask) -> Iterator[None]:
    yield
    with app.app_context():
        db.session.remove()
        for attempt in range(1, 6):
            try:
                empty_every_table()
                return
            except OperationalError as error:
                # The browser tests' server may still be answering a request of a page that
                # was just closed; a TRUNCATE that deadlocks with it goes again when it is done.
                if attempt == 5 or getattr(error.orig, "sqlstate", None) != "40P01":
                    raise
                time.sleep(0.2 * attempt)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> Iterator[Factory]:
    """Factories for records, committed to the database (see tests/factories.py)."""
    with app.app_context():
        yield Factory()
        db.session.remove()


@pytest.fixture
def login(client: FlaskClient) -> Any:
    """login(user) -> headers with a bearer access token for that user."""

    def _login(user: Any) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": Factory.PASSWORD}
        )
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['access_token']}"}

    return _login
