"""The admin runs the service from the app, and people choose and change their own passwords, in
a real Chromium at the size of a phone (390 by 844 pixels) against the API on the test database.

Each test starts from the demo team and drives the app by the labels and button names a screen
reader announces, in bokmål; what the app did is then checked in the database, and on the other
people's phones after their next sync.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask
from playwright.sync_api import Locator, Page, ViewportSize, expect
from sqlalchemy import select

from api.accounts.models import User
from api.auth.service import password_matches
from api.extensions import db
from api.participants.models import Participant
from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_synced
from tests.e2e.test_field_app import AXE, _axe_violations

VIEWPORT: ViewportSize = {"width": 390, "height": 844}
DASH = "\u2013"  # the en dash of the app's texts
GOOD_PASSWORD = "blå hytte ved fjorden"


def _phone(new_context: Any) -> Page:
    """A page of a browser of its own (separate storage, like another phone)."""
    page: Page = new_context().new_page()
    page.set_viewport_size(VIEWPORT)
    return page


def _one(app: Flask, statement: Any) -> Any:
    with app.app_context():
        try:
            return db.session.execute(statement).one()
        finally:
            db.session.remove()


def _user(app: Flask, email: str) -> Any:
    return _one(
        app,
        select(User.id, User.name, User.is_active, User.password_hash).where(User.email == email),
    )


def _participant_of_js1(app: Flask) -> Any:
    """An active participant on js1's caseload without a login of their own."""
    js1 = _user(app, "js1@demo.no").id
    with app.app_context():
        try:
            return db.session.execute(
                select(Participant.id, Participant.first_name, Participant.last_name)
                .where(
                    Participant.specialist_id == js1,
                    Participant.status == "active",
                    Participant.deleted_at.is_(None),
                    Participant.user_id.is_(None),
                )
                .order_by(Participant.last_name, Participant.id)
                .limit(1)
            ).one()
        finally:
            db.session.remove()


def _specialist_of(app: Flask, participant: uuid.UUID) -> uuid.UUID:
    return _one(app, select(Participant.specialist_id).where(Participant.id == participant))[0]


def _sync(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Synkroniser nå").click()
    wait_synced(page)


def _set_passwords(where: Page | Locator, password: str, again: str | None = None) -> None:
    where.get_by_label("Nytt passord").fill(password)
    where.get_by_label("Gjenta passordet").fill(password if again is None else again)


def test_an_invited_user_chooses_their_own_password_from_the_link_and_is_signed_in(
    app, demo, new_context, base_url
):
    admin = _phone(new_context)
    sign_in(admin, "admin@demo.no")
    expect(admin.get_by_role("heading", name="Brukere", exact=True)).to_be_visible()
    admin.get_by_role("link", name="Inviter ny bruker").click()
    admin.get_by_label("Navn").fill("Sigrid Berg")
    admin.get_by_label("E-post").fill("sigrid.berg@demo.no")
    admin.get_by_label("Rolle").select_option(label="Jobbspesialist")
    team = _one(app, select(User.team_id).where(User.email == "js1@demo.no"))[0]
    expect(admin.get_by_label("Team")).to_have_value(str(team))  # the only team, chosen already
    admin.get_by_role("button", name="Lag brukeren og lenken").click()

    expect(admin.get_by_text("Lenken vises bare nå.", exact=False)).to_be_visible()
    link = admin.get_by_label("Lenke for å velge passord").input_value()
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
    admin.get_by_role("button", name="Kopier lenken").click()
    expect(admin.get_by_text("Lenken er kopiert.")).to_be_visible()
    assert admin.evaluate("navigator.clipboard.readText()") == link
    code = admin.get_by_label("Kode").input_value()
    assert re.fullmatch(rf"{re.escape(base_url)}/#/password/[A-Za-z0-9_-]+", link), link
    assert link.endswith(f"/#/password/{code}")
    created = _user(app, "sigrid.berg@demo.no")
    assert created.is_active and created.name == "Sigrid Berg"

    # The new user, on a phone of their own where nobody has signed in.
    newcomer = _phone(new_context)
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Velg passord til Feltlogg")).to_be_visible()
    expect(
        newcomer.get_by_text("Passordet gjelder kontoen til Sigrid Berg (sigrid.berg@demo.no).")
    ).to_be_visible()
    expect(
        newcomer.get_by_text(f"Bruk minst 15 tegn {DASH} noen ord du husker er et godt passord.")
    ).to_be_visible()

    _set_passwords(newcomer, GOOD_PASSWORD, again="blå hytte ved sjøen")
    newcomer.get_by_role("button", name="Lagre passordet").click()
    expect(newcomer.get_by_text("Passordene er ikke like.", exact=False)).to_be_visible()

    _set_passwords(newcomer, "kort passord")
    newcomer.get_by_role("button", name="Lagre passordet").click()
    expect(
        newcomer.get_by_text(
            f"Passordet er for kort (12 tegn). Bruk minst 15 tegn {DASH} noen ord du husker er et "
            "godt passord."
        )
    ).to_be_visible()
    assert (
        password_matches(_user(app, "sigrid.berg@demo.no").password_hash, "kort passord") is False
    )

    _set_passwords(newcomer, GOOD_PASSWORD)
    newcomer.get_by_role("button", name="Lagre passordet").click()
    newcomer.wait_for_function(
        "() => performance.getEntriesByName('sync:initial:done').length > 0", timeout=30_000
    )
    expect(newcomer.get_by_role("heading", name=re.compile(r"^I dag, Sigrid"))).to_be_visible()
    assert password_matches(_user(app, "sigrid.berg@demo.no").password_hash, GOOD_PASSWORD)

    # The link worked once.
    newcomer.goto(link)
    expect(newcomer.get_by_text(re.compile(r"^Lenken virker ikke: den er brukt"))).to_be_visible()


def _signed_out_at_next_sync(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Synkroniser nå").click()
    expect(
        page.get_by_text("Innloggingen har gått ut. Logg inn igjen for å synkronisere.")
    ).to_be_visible()
    expect(page.get_by_text("Ikke innlogget")).to_be_visible()


def test_an_admin_signs_a_user_out_everywhere_and_deactivates_another(app, demo, new_context):
    lost_phone = _phone(new_context)
    sign_in(lost_phone, "js1@demo.no")
    specialist = _phone(new_context)
    sign_in(specialist, "js2@demo.no")

    admin = _phone(new_context)
    sign_in(admin, "admin@demo.no")
    admin.get_by_role("link", name=re.compile(r"^Marte Haugland")).click()
    admin.get_by_role("button", name="Logg ut på alle enheter").click()
    admin.get_by_role("button", name="Ja, logg ut overalt").click()
    expect(admin.get_by_text("Marte Haugland er logget ut på alle enheter.")).to_be_visible()
    _signed_out_at_next_sync(lost_phone)
    assert _user(app, "js1@demo.no").is_active  # signed out, not deactivated

    admin.get_by_role("link", name="Til brukerlisten").click()
    admin.get_by_label("Søk etter navn eller e-post").fill("jonas")
    expect(admin.get_by_text(f"Viser 1{DASH}1 av 1 bruker")).to_be_visible()
    admin.get_by_role("link", name=re.compile(r"^Jonas Eide")).click()
    expect(admin.get_by_role("heading", name="Jonas Eide")).to_be_visible()
    admin.get_by_role("button", name="Deaktiver brukeren").click()
    expect(
        admin.get_by_text(re.compile(r"^Deaktivere Jonas Eide\? Jonas Eide logges ut"))
    ).to_be_visible()
    assert _user(app, "js2@demo.no").is_active  # nothing happens before the confirmation
    admin.get_by_role("button", name="Ja, deaktiver").click()
    expect(admin.get_by_role("button", name="Aktiver brukeren igjen")).to_be_visible()
    assert not _user(app, "js2@demo.no").is_active

    _signed_out_at_next_sync(specialist)

    # The deactivated user is listed only when asked for, and comes back on confirmation.
    admin.get_by_role("link", name="Til brukerlisten").click()
    admin.get_by_label("Søk etter navn eller e-post").fill("jonas")
    expect(admin.get_by_text("Ingen brukere passer med søket og filtrene.")).to_be_visible()
    admin.get_by_label("Vis også deaktiverte brukere").check()
    admin.get_by_role("link", name=re.compile(r"^Jonas Eide.*deaktivert")).click()
    admin.get_by_role("button", name="Aktiver brukeren igjen").click()
    admin.get_by_role("button", name="Ja, aktiver").click()
    expect(admin.get_by_role("button", name="Deaktiver brukeren")).to_be_visible()
    assert _user(app, "js2@demo.no").is_active


def test_a_moved_participant_follows_to_the_new_specialists_phone_after_a_sync(
    app, demo, new_context
):
    participant = _participant_of_js1(app)
    name = f"{participant.first_name} {participant.last_name}"
    js1, js2 = _user(app, "js1@demo.no").id, _user(app, "js2@demo.no").id
    phones = {}
    for email in ("js1@demo.no", "js2@demo.no"):
        phones[email] = _phone(new_context)
        sign_in(phones[email], email)
        phones[email].goto("/#/participants")
    expect(phones["js1@demo.no"].get_by_text(name, exact=True)).to_be_visible()
    expect(phones["js2@demo.no"].get_by_text(name, exact=True)).to_have_count(0)

    admin = _phone(new_context)
    sign_in(admin, "admin@demo.no")
    admin.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Flytt deltaker"
    ).click()
    expect(admin.get_by_role("heading", name="Flytt deltaker")).to_be_visible()
    admin.get_by_label("Deltaker", exact=True).select_option(str(participant.id))
    expect(admin.get_by_text("Jobbspesialist nå: Marte Haugland")).to_be_visible()
    admin.get_by_label("Ny jobbspesialist").select_option(label="Jonas Eide")
    admin.get_by_role("button", name="Flytt deltakeren").click()
    expect(
        admin.get_by_text(f"Flytte {name} fra Marte Haugland til Jonas Eide?", exact=False)
    ).to_be_visible()
    assert _specialist_of(app, participant.id) == js1  # not before the confirmation
    admin.get_by_role("button", name="Ja, flytt").click()
    expect(admin.get_by_text(f"{name} er flyttet til Jonas Eide.")).to_be_visible()
    assert _specialist_of(app, participant.id) == js2

    for email, shown in (("js1@demo.no", 0), ("js2@demo.no", 1)):
        _sync(phones[email])
        phones[email].goto("/#/participants")
        expect(phones[email].get_by_text(name, exact=True)).to_have_count(shown)

    # The team's supervisor moves them back, from the team's week.
    supervisor = _phone(new_context)
    sign_in(supervisor, "leder@demo.no")
    supervisor.get_by_role("link", name="Flytt en deltaker til en annen jobbspesialist").click()
    supervisor.get_by_label("Deltaker", exact=True).select_option(str(participant.id))
    expect(supervisor.get_by_text("Jobbspesialist nå: Jonas Eide")).to_be_visible()
    supervisor.get_by_label("Ny jobbspesialist").select_option(label="Marte Haugland")
    supervisor.get_by_role("button", name="Flytt deltakeren").click()
    supervisor.get_by_role("button", name="Ja, flytt").click()
    expect(supervisor.get_by_text(f"{name} er flyttet til Marte Haugland.")).to_be_visible()
    assert _specialist_of(app, participant.id) == js1
    _sync(phones["js1@demo.no"])
    phones["js1@demo.no"].goto("/#/participants")
    expect(phones["js1@demo.no"].get_by_text(name, exact=True)).to_be_visible()


def test_a_user_changes_their_own_password_in_the_menu(app, demo, new_context):
    page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    page.goto("/#/settings")
    section = page.locator("section[aria-labelledby='change-password-title']")
    expect(section.get_by_role("heading", name="Bytt passord")).to_be_visible()

    section.get_by_label("Nåværende passord").fill("ikke mitt passord")
    _set_passwords(section, GOOD_PASSWORD)
    section.get_by_role("button", name="Bytt passord").click()
    expect(section.get_by_text("Det nåværende passordet er ikke riktig.")).to_be_visible()

    section.get_by_label("Nåværende passord").fill(DEMO_PASSWORD)
    _set_passwords(section, "for kort")
    section.get_by_role("button", name="Bytt passord").click()
    expect(section.get_by_text(re.compile(r"^Passordet er for kort \(8 tegn\)"))).to_be_visible()
    assert password_matches(_user(app, "js1@demo.no").password_hash, DEMO_PASSWORD)

    _set_passwords(section, GOOD_PASSWORD)
    section.get_by_role("button", name="Bytt passord").click()
    expect(section.get_by_text("Passordet er byttet.", exact=False)).to_be_visible()
    assert password_matches(_user(app, "js1@demo.no").password_hash, GOOD_PASSWORD)
    # This sign-in goes on.
    _sync(page)
    expect(page.get_by_text("Ikke innlogget")).to_have_count(0)

    # Another phone signs in with the new password, not the old one.
    other = _phone(new_context)
    other.goto("/")
    other.get_by_label("E-post").fill("js1@demo.no")
    other.get_by_label("Passord").fill(DEMO_PASSWORD)
    other.get_by_role("button", name="Logg inn").click()
    expect(other.get_by_text("Feil e-post eller passord.")).to_be_visible()
    other.get_by_label("Passord").fill(GOOD_PASSWORD)
    other.get_by_role("button", name="Logg inn").click()
    expect(other.get_by_role("heading", name=re.compile(r"^I dag, Marte"))).to_be_visible()


def _violations(page: Page) -> list[str]:
    page.wait_for_load_state("networkidle")
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in _axe_violations(page)]


def test_the_admin_screens_have_no_serious_accessibility_violations(app, demo, new_context):
    assert AXE.exists(), "axe-core is missing: run `npm ci` in pwa/"
    found: dict[str, list[str]] = {}
    js2 = _user(app, "js2@demo.no").id
    participant = _participant_of_js1(app)
    admin = _phone(new_context)
    sign_in(admin, "admin@demo.no")

    admin.goto("/#/users")
    expect(admin.get_by_text(re.compile(rf"^Viser 1{DASH}\d+ av \d+ brukere"))).to_be_visible()
    found["users"] = _violations(admin)

    admin.goto("/#/users/new")
    admin.get_by_role("button", name="Lag brukeren og lenken").click()  # empty: the problems show
    expect(admin.get_by_text("Skriv navnet.")).to_be_visible()
    found["invite, with problems"] = _violations(admin)
    admin.get_by_label("Navn").fill("Per Hansen")
    admin.get_by_label("E-post").fill("per.hansen@demo.no")
    admin.get_by_role("button", name="Lag brukeren og lenken").click()
    expect(admin.get_by_label("Lenke for å velge passord")).to_be_visible()
    found["invite, the link"] = _violations(admin)
    link = admin.get_by_label("Lenke for å velge passord").input_value()

    admin.goto(f"/#/users/{js2}")
    expect(admin.get_by_role("heading", name="Jonas Eide")).to_be_visible()
    admin.get_by_role("button", name="Deaktiver brukeren").click()
    expect(admin.get_by_role("button", name="Ja, deaktiver")).to_be_visible()
    found["user, confirming"] = _violations(admin)
    admin.get_by_role("button", name="Avbryt").click()
    admin.get_by_role("button", name="Ny lenke for passord").click()
    expect(admin.get_by_role("heading", name="Ny lenke for passord til Jonas Eide")).to_be_visible()
    found["user, new link"] = _violations(admin)

    admin.goto("/#/teams")
    admin.get_by_role("button", name=re.compile(r"^Gi nytt navn")).first.click()
    expect(admin.get_by_role("button", name="Lagre navnet")).to_be_visible()
    found["teams, renaming"] = _violations(admin)

    admin.goto("/#/transfer")
    admin.get_by_label("Deltaker", exact=True).select_option(str(participant.id))
    admin.get_by_label("Ny jobbspesialist").select_option(label="Jonas Eide")
    admin.get_by_role("button", name="Flytt deltakeren").click()
    expect(admin.get_by_role("button", name="Ja, flytt")).to_be_visible()
    found["transfer, confirming"] = _violations(admin)

    admin.goto("/#/settings")
    admin.get_by_role("button", name="Bytt passord").click()  # empty: the problems show
    expect(admin.get_by_text("Skriv passordet du bruker nå.")).to_be_visible()
    found["settings, password problems"] = _violations(admin)

    # Offline, the screens say so instead of failing, and load when the network is back.
    admin.context.set_offline(True)
    admin.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Team").click()
    expect(admin.get_by_text(re.compile(r"^Du er frakoblet\. Brukere, team"))).to_be_visible()
    found["teams, offline"] = _violations(admin)
    admin.context.set_offline(False)
    expect(admin.get_by_role("button", name=re.compile(r"^Gi nytt navn")).first).to_be_visible()

    newcomer = _phone(new_context)
    newcomer.goto(link)
    _set_passwords(newcomer, "kort")
    newcomer.get_by_role("button", name="Lagre passordet").click()
    expect(newcomer.get_by_text(re.compile(r"^Passordet er for kort"))).to_be_visible()
    found["set password, refused"] = _violations(newcomer)

    assert not {screen: ids for screen, ids in found.items() if ids}, found
