"""One language all the way: with the app switched to bokmål, what the server says in English
(its `detail`), or a proxy's HTML page, never reaches the screen. A failed sync (500 from the
server, a 502 page from a proxy), a change the server refused, being offline, and a form's
problems are each said in bokmål, from the stable code or the HTTP status.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from flask import Flask
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlalchemy import select

from api.accounts.models import User
from api.employers.models import Employer
from api.extensions import db
from api.participants.models import Participant
from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_synced

# Words of English sentences that no bokmål screen has: the server's and a proxy's wording.
ENGLISH = re.compile(
    r"\b(the|and|was|were|your|you|please|try|again|error|failed|could|cannot|server|"
    r"request|gateway|bad|not|found|valid|invalid|field|required|deleted|device|change|"
    r"applied|password|short|sync|synced|offline)\b",
    re.IGNORECASE,
)
SERVER_ERROR = {
    "type": "about:blank",
    "title": "Internal Server Error",
    "status": 500,
    "detail": "The server had a problem. Try again later.",
    "code": "server_error",
}
BAD_GATEWAY = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    "</center><hr><center>nginx</center></body></html>"
)


def _scalar(app: Flask, statement: Any) -> Any:
    with app.app_context():
        try:
            return db.session.scalar(statement)
        finally:
            db.session.remove()


def _participant_of(app: Flask, email: str) -> uuid.UUID:
    user = _scalar(app, select(User.id).where(User.email == email))
    return _scalar(app, select(Participant.id).where(Participant.user_id == user))


def _in_bokmal(page: Page) -> None:
    """Switch the app to English and back to bokmål in the menu, as a user would."""
    page.goto("/#/settings")
    page.get_by_label("English").check()
    expect(page.get_by_role("heading", name="Menu", exact=True)).to_be_visible()
    page.get_by_label("Norsk bokmål").check()
    expect(page.get_by_role("heading", name="Meny", exact=True)).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "nb"


def _screen_text(page: Page) -> str:
    return page.locator("body").inner_text()


def _no_english(page: Page, *details: str) -> None:
    """Neither the server's words nor any English sentence is on the screen."""
    text = _screen_text(page)
    for detail in details:
        assert detail not in text, f"the server's English reached the screen: {detail!r}"
    english = sorted({match.group(0) for match in ENGLISH.finditer(text)})
    assert not english, f"English on a bokmål screen: {english}\n{text}"


def _status_bar(page: Page) -> Any:
    return page.get_by_role("banner")


def _sync_now(page: Page) -> None:
    _status_bar(page).get_by_role("button", name="Synkroniser nå").click()


def _wait_for_sync_error(page: Page) -> None:
    page.wait_for_function("() => document.documentElement.dataset.sync === 'error'")


def test_a_failed_sync_is_said_in_bokmal_for_a_server_error_and_a_proxys_502_page(
    app, demo, new_context
):
    context: BrowserContext = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _in_bokmal(page)

    # The server fails the pull with problem+json: its code says what to tell the user.
    def server_error(route: Route) -> None:
        route.fulfill(
            status=500, content_type="application/problem+json", body=json.dumps(SERVER_ERROR)
        )

    context.route("**/api/v1/sync/pull*", server_error)
    page.goto("/#/today")
    _sync_now(page)
    _wait_for_sync_error(page)
    expect(_status_bar(page)).to_contain_text(
        "Synkroniseringsfeil: Serveren har et problem. Prøver igjen snart."
    )
    _no_english(page, SERVER_ERROR["detail"])
    context.unroute("**/api/v1/sync/pull*")
    _sync_now(page)
    wait_synced(page)
    expect(_status_bar(page)).not_to_contain_text("Synkroniseringsfeil")

    # A proxy answers the push with its own HTML page and no code: said by the status.
    def bad_gateway(route: Route) -> None:
        route.fulfill(status=502, content_type="text/html", body=BAD_GATEWAY)

    context.route("**/api/v1/sync/push", bad_gateway)
    employer = _scalar(app, select(Employer.name).order_by(Employer.name).limit(1))
    page.get_by_role("link", name="Logg arbeidsgiverkontakt").first.click()
    page.get_by_label("Søk etter arbeidsgiver").fill(employer)
    page.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text(f"Kontakt med {employer} er lagret")).to_be_visible()
    _wait_for_sync_error(page)
    expect(_status_bar(page)).to_contain_text(
        "Synkroniseringsfeil: Serveren kan ikke nås akkurat nå. Prøver igjen snart."
    )
    expect(_status_bar(page)).to_contain_text("Ikke synkronisert: 1")
    _no_english(page, "Bad Gateway", "502", "nginx")
    context.unroute("**/api/v1/sync/push")
    _sync_now(page)
    wait_synced(page)


def test_a_change_the_server_refused_is_explained_in_bokmal(app, demo, new_context):
    participant = _participant_of(app, "deltaker1@demo.no")
    context: BrowserContext = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _in_bokmal(page)
    context.set_offline(True)
    page.goto(f"/#/participants/{participant}")
    page.get_by_role("link", name="Endre opplysninger").click()
    page.get_by_label("Telefon (valgfritt)").fill("+47 912 34 111")
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Endre opplysninger"))).to_have_count(0)

    # Meanwhile, from the office, the participant is deleted: the edit cannot be applied.
    office = app.test_client()
    token = office.post(
        "/api/v1/auth/login", json={"email": "js1@demo.no", "password": DEMO_PASSWORD}
    ).json["access_token"]
    deleted = office.delete(
        f"/api/v1/participants/{participant}", headers={"Authorization": f"Bearer {token}"}
    )
    assert deleted.status_code == 204

    with page.expect_response(
        lambda response: "/api/v1/sync/push" in response.url, timeout=30_000
    ) as pushed:
        context.set_offline(False)
    refused = [r for r in pushed.value.json()["results"] if r["status"] == "rejected"]
    assert refused and all(r["detail"] for r in refused), refused
    badge = _status_bar(page).get_by_role("link", name="Avvist: 1")
    expect(badge).to_be_visible()
    badge.click()
    expect(page.get_by_role("heading", name="Avviste endringer")).to_be_visible()
    card = page.locator("li.card").first
    expect(card).to_contain_text("Deltaker · endring")
    expect(card).to_contain_text(
        "Dette ble slettet på en annen enhet, så endringen ble ikke lagret."
    )
    _no_english(page, *(r["detail"] for r in refused))


def test_offline_and_a_forms_problems_are_said_in_bokmal(app, demo, new_context):
    context: BrowserContext = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _in_bokmal(page)

    # A form's own checks, before anything is saved.
    page.goto("/#/log-meeting")
    page.get_by_label("Varighet (minutter)").fill("0")
    page.get_by_role("button", name="Lagre møtet").click()
    expect(page.get_by_text("Velg hvilken deltaker du møtte.")).to_be_visible()
    expect(
        page.get_by_text("Varigheten må være et helt antall minutter mellom 1 og 1440.")
    ).to_be_visible()
    _no_english(page)

    # The server's check of a new password: its English detail stays out of sight. (Leaving
    # the meeting form half filled asks first, in bokmål too.)
    questions: list[str] = []

    def leave(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", leave)
    page.goto("/#/settings")
    expect(page.get_by_role("heading", name="Meny", exact=True)).to_be_visible()
    assert questions == ["Forkaste endringene? Det du har fylt inn, blir ikke lagret."], questions
    form = page.locator("section", has=page.get_by_role("heading", name="Bytt passord"))
    form.get_by_label("Nåværende passord").fill(DEMO_PASSWORD)
    form.get_by_label("Nytt passord").fill("kort")
    form.get_by_label("Gjenta passordet").fill("kort")
    with page.expect_response(lambda response: "/api/v1/auth/password" in response.url) as sent:
        form.get_by_role("button", name="Bytt passord").click()
    assert sent.value.status == 422
    detail = sent.value.json()["detail"]
    expect(form.get_by_text(re.compile(r"^Passordet er for kort \(4 tegn\)"))).to_be_visible()
    _no_english(page, detail)

    # Offline: the status bar says so, and what needs the network says that in bokmål.
    context.set_offline(True)
    page.evaluate("() => window.dispatchEvent(new Event('offline'))")
    expect(_status_bar(page)).to_contain_text("Frakoblet")
    form.get_by_label("Nåværende passord").fill(DEMO_PASSWORD)
    form.get_by_label("Nytt passord").fill("en lang og god setning til testen")
    form.get_by_label("Gjenta passordet").fill("en lang og god setning til testen")
    form.get_by_role("button", name="Bytt passord").click()
    expect(
        form.get_by_text(
            "Ingen nettforbindelse. Dette krever nett \u2013 prøv igjen når du er på nett."
        )
    ).to_be_visible()
    _no_english(page)
    context.set_offline(False)
    wait_synced(page)
