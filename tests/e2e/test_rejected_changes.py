"""A change the server refuses, as a specialist meets it on the phone: explained in bokmål, and
where sending it again cannot succeed, offered only to be discarded (with undo); the rest of the
outbox goes through and nothing jams."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from api.accounts.models import User
from api.extensions import db
from api.participants.models import Participant
from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_synced


def _scalar(app: Flask, statement: Any) -> Any:
    with app.app_context():
        value = db.session.scalar(statement)
        db.session.remove()
    return value


def _participant_of(app: Flask, email: str) -> uuid.UUID:
    user = _scalar(app, select(User.id).where(User.email == email))
    return _scalar(app, select(Participant.id).where(Participant.user_id == user))


def test_an_edit_of_a_participant_deleted_meanwhile_is_explained_and_discarded(
    app, demo, new_context
):
    participant = _participant_of(app, "deltaker1@demo.no")
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    context.set_offline(True)
    page.goto(f"/#/participants/{participant}")
    page.get_by_role("link", name="Endre opplysninger").click()
    page.get_by_label("Telefon (valgfritt)").fill("+47 912 34 000")
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Endre opplysninger"))).to_have_count(0)

    # Meanwhile, from the office, the participant is deleted.
    office = app.test_client()
    token = office.post(
        "/api/v1/auth/login", json={"email": "js1@demo.no", "password": DEMO_PASSWORD}
    ).json["access_token"]
    deleted = office.delete(
        f"/api/v1/participants/{participant}", headers={"Authorization": f"Bearer {token}"}
    )
    assert deleted.status_code == 204

    context.set_offline(False)
    page.reload()
    rejected_pill = page.get_by_role("link", name=re.compile("avvist", re.IGNORECASE))
    deadline = time.monotonic() + 30
    while not rejected_pill.count() and time.monotonic() < deadline:
        page.wait_for_timeout(300)
    rejected_pill.first.click()
    card = page.locator("li.card").first
    expect(card).to_contain_text("Dette ble slettet på en annen enhet")
    # The server's English stays out of sight, and there is no "send again" that cannot work.
    expect(page.get_by_text("deleted on another device")).not_to_be_visible()
    expect(page.get_by_role("button", name="Send på nytt")).to_have_count(0)
    page.get_by_role("button", name="Forkast endringen").click()
    expect(page.get_by_text("Ingen avviste endringer.")).to_be_visible()
    # Undo brings it back; discarding again clears the outbox for good.
    page.get_by_role("button", name="Angre").click()
    expect(page.locator("li.card")).to_have_count(1)
    page.get_by_role("button", name="Forkast endringen").click()
    expect(page.get_by_text("Ingen avviste endringer.")).to_be_visible()
    wait_synced(page)
    phone = _scalar(app, select(Participant.phone).where(Participant.id == participant))
    assert phone != "+47 912 34 000"
