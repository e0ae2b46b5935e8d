"""A sign-in that ends is never data loss, in a real Chromium against the API on the test
database: the outbox stays, the screens keep working behind a banner, the same user signing in
again sends what waited, and another user on the same phone is asked before anything is dropped.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from api.accounts.models import User
from api.activity.models import EmployerContact
from api.auth.models import TokenFamily
from api.common.model import utcnow
from api.employers.models import Employer
from api.extensions import db
from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_synced
from tests.e2e.test_token_refresh import READ_META


def _one(app: Flask, statement: Any) -> Any:
    with app.app_context():
        try:
            return db.session.execute(statement).one()
        finally:
            db.session.remove()


def _user(app: Flask, email: str) -> tuple[uuid.UUID, str]:
    row = _one(app, select(User.id, User.name).where(User.email == email))
    return row[0], row[1]


def _contacts(app: Flask, specialist: uuid.UUID) -> int:
    return int(
        _one(
            app,
            select(func.count())
            .select_from(EmployerContact)
            .where(EmployerContact.specialist_id == specialist),
        )[0]
    )


def _open_families(app: Flask, user: uuid.UUID) -> int:
    return int(
        _one(
            app,
            select(func.count())
            .select_from(TokenFamily)
            .where(TokenFamily.user_id == user, TokenFamily.revoked_at.is_(None)),
        )[0]
    )


def _log_contact(page: Page, employer: str) -> None:
    page.get_by_role("link", name="Logg arbeidsgiverkontakt").first.click()
    page.get_by_label("Søk etter arbeidsgiver").fill(employer)
    page.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text(f"Kontakt med {employer} er lagret")).to_be_visible()


def _employer(app: Flask) -> str:
    return str(_one(app, select(Employer.name).order_by(Employer.name).limit(1))[0])


def _sync_now(page: Page) -> None:
    page.evaluate("() => window.dispatchEvent(new Event('online'))")


def test_a_revoked_sign_in_keeps_the_changes_and_signing_in_again_sends_them(
    app, demo, new_context
):
    js1, _ = _user(app, "js1@demo.no")
    employer = _employer(app)
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    before = _contacts(app, js1)

    context.set_offline(True)
    _log_contact(page, employer)
    _log_contact(page, employer)
    page.wait_for_function("() => document.documentElement.dataset.pending === '2'")

    # The sign-in ends on the server ("sign out on all devices" from a colleague's PC, say).
    access_token = page.evaluate(READ_META, "access_token")
    answer = app.test_client().post(
        "/api/v1/auth/sign-out-all", headers={"Authorization": f"Bearer {access_token}"}
    )
    assert answer.status_code == 204, answer.get_data(as_text=True)
    assert _open_families(app, js1) == 0

    context.set_offline(False)
    _sync_now(page)
    banner = page.get_by_role("alert").filter(has_text="Logg inn igjen for å sende")
    expect(banner).to_have_text(re.compile(r"Logg inn igjen for å sende 2 endringer som venter"))
    assert page.evaluate(READ_META, "needs_login") is True

    # No login wall: the screens work on what the phone holds, and new work is kept too.
    page.get_by_role("navigation").get_by_role("link", name="Deltakere", exact=True).click()
    expect(page.get_by_role("heading", name="Deltakere")).to_be_visible()
    _log_contact(page, employer)
    expect(banner).to_have_text(re.compile(r"Logg inn igjen for å sende 3 endringer som venter"))
    assert page.evaluate("document.documentElement.dataset.pending") == "3"
    assert _contacts(app, js1) == before

    banner.get_by_role("link", name="Logg inn igjen").click()
    expect(page.get_by_role("heading", name="Logg inn igjen")).to_be_visible()
    expect(page.get_by_label("E-post")).to_have_value("js1@demo.no")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    wait_synced(page)
    assert _contacts(app, js1) == before + 3
    expect(page.get_by_text("Logg inn igjen for å sende")).to_have_count(0)
    assert page.evaluate(READ_META, "needs_login") is None
    assert _open_families(app, js1) == 1


def _revoked_with_a_waiting_change(app: Flask, page: Page, context: Any, js1: uuid.UUID) -> None:
    """js1 has one change waiting and their sign-in has been revoked (in the database)."""
    context.set_offline(True)
    _log_contact(page, _employer(app))
    with app.app_context():
        db.session.execute(
            update(TokenFamily)
            .where(TokenFamily.user_id == js1)
            .values(revoked_at=utcnow(), revoked_reason="test")
        )
        db.session.commit()
        db.session.remove()
    context.set_offline(False)
    _sync_now(page)
    expect(page.get_by_text("Logg inn igjen for å sende 1 endring som venter.")).to_be_visible()


def _try_to_sign_in_as(page: Page, email: str) -> None:
    page.get_by_role("link", name="Logg inn igjen").click()
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()


def test_another_user_is_told_of_the_waiting_change_and_can_sign_in_as_its_owner(
    app, demo, new_context
):
    js1, js1_name = _user(app, "js1@demo.no")
    js2, _ = _user(app, "js2@demo.no")
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    before = _contacts(app, js1)
    _revoked_with_a_waiting_change(app, page, context, js1)

    _try_to_sign_in_as(page, "js2@demo.no")
    warning = page.get_by_role("alert").filter(has_text="som ikke er sendt")
    expect(warning).to_contain_text(f"Det ligger 1 endring fra {js1_name} som ikke er sendt")
    assert _open_families(app, js2) == 0  # asked before any sign-in was made for js2
    assert page.evaluate("document.documentElement.dataset.pending") == "1"

    # Discarding asks once more; cancelling leaves everything as it was.
    warning.get_by_role("button", name="Forkast endringene og fortsett").click()
    expect(page.get_by_text("Endringen fra", exact=False)).to_contain_text(
        "kan ikke hentes tilbake"
    )
    page.get_by_role("button", name="Avbryt").click()

    page.get_by_role("button", name=f"Logg inn som {js1_name}").click()
    expect(page.get_by_label("E-post")).to_have_value("js1@demo.no")
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    wait_synced(page)
    assert _contacts(app, js1) == before + 1
    assert _open_families(app, js2) == 0


def test_another_user_may_discard_the_waiting_change_after_confirming(app, demo, new_context):
    js1, js1_name = _user(app, "js1@demo.no")
    js2, js2_name = _user(app, "js2@demo.no")
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    before = _contacts(app, js1)
    _revoked_with_a_waiting_change(app, page, context, js1)

    _try_to_sign_in_as(page, "js2@demo.no")
    expect(
        page.get_by_text(f"Det ligger 1 endring fra {js1_name} som ikke er sendt")
    ).to_be_visible()
    page.get_by_role("button", name="Forkast endringene og fortsett").click()
    page.get_by_role("button", name="Ja, forkast og logg inn").click()
    page.wait_for_function(
        "() => performance.getEntriesByName('sync:initial:done').length > 1", timeout=30_000
    )
    wait_synced(page)
    expect(page.get_by_role("heading", name=f"I dag, {js2_name.split()[0]}")).to_be_visible()
    assert page.evaluate(READ_META, "user")["id"] == str(js2)
    assert _contacts(app, js1) == before


def test_signing_out_on_every_device_warns_of_unsent_changes_and_ends_every_sign_in(
    app, demo, new_context
):
    js1, _ = _user(app, "js1@demo.no")
    phone = new_context().new_page()
    sign_in(phone, "js1@demo.no")
    other_context = new_context()
    other = other_context.new_page()
    sign_in(other, "js1@demo.no")
    assert _open_families(app, js1) == 2

    # A change that cannot reach the server yet (its pushes fail) waits in the outbox.
    other_context.route("**/api/v1/sync/push", lambda route: route.abort())
    _log_contact(other, _employer(app))
    other.goto("/#/settings")
    expect(
        other.get_by_text("Du har 1 endring som ikke er sendt. Logger du ut på alle enheter nå")
    ).to_be_visible()
    other.get_by_role("button", name="Logg ut på alle enheter").click()
    other.get_by_role("button", name="Logg ut på alle enheter og forkast endringene").click()
    expect(other.get_by_role("heading", name="Logg inn på Feltlogg")).to_be_visible()
    assert _open_families(app, js1) == 0

    # The other phone learns it at its next sync, and keeps working behind the banner.
    _sync_now(phone)
    expect(
        phone.get_by_text("Innloggingen har gått ut. Logg inn igjen for å synkronisere.")
    ).to_be_visible()
