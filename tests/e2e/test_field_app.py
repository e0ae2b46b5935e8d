"""The field app in a real Chromium against the API on the test database (issue: the field app).

Each test starts from the demo team (`demo` fixture) and drives the app the way a person would:
by the labels and button names a screen reader announces, in bokmål, at phone size. What the
app did is then checked in the database, not only on the screen.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import func, select

from api.accounts.models import User
from api.activity.models import EmployerContact, Meeting
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Participant
from api.plans.models import PlanStep
from api.reviews.models import WeekReview
from tests.e2e.conftest import CHROMIUM, PHONE, screenshot, sign_in, wait_synced

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"


def _query(app: Flask, statement: Any) -> Any:
    with app.app_context():
        try:
            return db.session.execute(statement).all()
        finally:
            db.session.remove()


def _one(app: Flask, statement: Any) -> Any:
    [row] = _query(app, statement)
    return row


def _user_id(app: Flask, email: str) -> uuid.UUID:
    return _one(app, select(User.id).where(User.email == email))[0]


def _count(app: Flask, model: Any, *where: Any) -> int:
    return int(_one(app, select(func.count()).select_from(model).where(*where))[0])


def _controlled_by_the_service_worker(page: Page) -> None:
    """Reload until the service worker serves the page, as on any second visit."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_synced(page)


def _eventually(check: Any, seconds: float = 15) -> Any:
    """What the server holds once the app's sync loop has caught up (it runs on its own)."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _pending(page: Page) -> str:
    return str(page.evaluate("document.documentElement.dataset.pending"))


def test_a_specialist_logs_work_offline_and_it_reaches_the_server_when_back_online(
    app, demo, new_context
):
    js1 = _user_id(app, "js1@demo.no")
    employer = _one(
        app, select(Employer.name).where(Employer.name.like("%AS")).order_by(Employer.name).limit(1)
    )[0]
    contacts_before = _count(app, EmployerContact, EmployerContact.specialist_id == js1)
    meetings_before = _count(app, Meeting, Meeting.specialist_id == js1)
    context: BrowserContext = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _controlled_by_the_service_worker(page)
    screenshot(page, "specialist-today")

    context.set_offline(True)
    for n in range(3):
        page.get_by_role("link", name="Logg arbeidsgiverkontakt").first.click()
        page.get_by_label("Søk etter arbeidsgiver").fill(employer)
        page.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
        expect(page.get_by_role("switch", name="Ansikt til ansikt")).to_be_checked()
        if n == 0:
            screenshot(page, "specialist-log-contact")
        page.get_by_role("button", name="Lagre", exact=True).click()
        expect(page.get_by_text(f"Kontakt med {employer} er lagret")).to_be_visible()

    page.get_by_role("link", name="Logg møte").first.click()
    page.get_by_label("Deltaker").select_option(index=1)
    page.get_by_label("Varighet (minutter)").fill("45")
    page.get_by_label("Ute i feltet").check()
    page.get_by_label("Neste steg").fill("Oppdatere CV-en\nBesøke to butikker i sentrum")
    screenshot(page, "specialist-log-meeting")
    page.get_by_role("button", name="Lagre møtet").click()
    expect(page.get_by_text("Møtet er lagret")).to_be_visible()

    # 3 contacts, 1 meeting and 2 plan steps wait in the outbox; nothing reached the server.
    page.wait_for_function("() => document.documentElement.dataset.pending === '6'")
    assert page.evaluate("document.documentElement.dataset.sync") == "offline"
    assert _count(app, EmployerContact, EmployerContact.specialist_id == js1) == contacts_before

    page.reload()  # still offline: the service worker serves the app, IndexedDB the data
    expect(page.get_by_text("Ikke synkronisert: 6")).to_be_visible()
    assert _pending(page) == "6"

    context.set_offline(False)
    wait_synced(page)
    assert _count(app, EmployerContact, EmployerContact.specialist_id == js1) == contacts_before + 3
    assert _count(app, Meeting, Meeting.specialist_id == js1) == meetings_before + 1
    logged = _query(
        app,
        select(EmployerContact.mode).where(
            EmployerContact.specialist_id == js1,
            EmployerContact.employer_id.in_(select(Employer.id).where(Employer.name == employer)),
        ),
    )
    assert sum(1 for (mode,) in logged if mode == "in_person") >= 3
    steps = {title for (title,) in _query(app, select(PlanStep.title))}
    assert {"Oppdatere CV-en", "Besøke to butikker i sentrum"} <= steps


def test_one_record_edited_on_two_phones_offline_shows_a_conflict_the_user_resolves(
    app, demo, new_context
):
    js1 = _user_id(app, "js1@demo.no")
    match_id, title = _query(
        app,
        select(JobMatch.id, JobMatch.job_title)
        .join(Participant, Participant.id == JobMatch.participant_id)
        .where(
            Participant.specialist_id == js1,
            JobMatch.status.in_(("lead", "applied")),
            JobMatch.deleted_at.is_(None),
        )
        .order_by(JobMatch.id),
    )[0]
    phones = []
    for _ in range(2):
        context = new_context()
        page = context.new_page()
        sign_in(page, "js1@demo.no")
        page.goto("/#/jobs")
        phones.append((context, page))
    (context_a, phone_a), (context_b, phone_b) = phones

    for context, _ in phones:
        context.set_offline(True)
    phone_a.locator(f"#status-{match_id}").select_option("interview")
    phone_b.locator(f"#status-{match_id}").select_option("offer")

    context_a.set_offline(False)
    wait_synced(phone_a)
    context_b.set_offline(False)
    wait_synced(phone_b)
    # The pull that brings the conflict.
    phone_b.get_by_role("button", name="Synkroniser nå").click()
    wait_synced(phone_b)

    badge = phone_b.get_by_role("link", name="Konflikter: 1")
    expect(badge).to_be_visible()
    badge.click()
    expect(phone_b.get_by_text(title).first).to_be_visible()
    screenshot(phone_b, "specialist-conflicts")
    # The later arrival (phone B's "offer") is kept; the user takes phone A's "interview" back.
    phone_b.get_by_role("button", name="Bruk den andre verdien").click()
    # With none left, the status bar no longer mentions conflicts.
    expect(phone_b.get_by_role("link", name=re.compile(r"^Konflikter"))).to_have_count(0)

    def resolved_on_the_server() -> bool:
        status, resolved = _one(
            app,
            select(JobMatch.status, Conflict.resolved_at)
            .join(Conflict, Conflict.record_id == JobMatch.id)
            .where(JobMatch.id == match_id),
        )
        return status == "interview" and resolved is not None

    assert _eventually(resolved_on_the_server)


def test_a_participant_sees_their_own_plan_and_nobody_else(app, demo, new_context):
    me = _one(
        app,
        select(Participant.id, Participant.first_name)
        .join(User, User.id == Participant.user_id)
        .where(User.email == "deltaker1@demo.no"),
    )
    others = {
        name
        for (name,) in _query(app, select(Participant.last_name).where(Participant.id != me.id))
    }
    step_id, step_title = _query(
        app,
        select(PlanStep.id, PlanStep.title)
        .where(
            PlanStep.participant_id == me.id,
            PlanStep.done_at.is_(None),
            PlanStep.owner == "participant",
            PlanStep.deleted_at.is_(None),
        )
        .order_by(PlanStep.id),
    )[0]
    page = new_context().new_page()
    sign_in(page, "deltaker1@demo.no")
    expect(page.get_by_role("heading", name="Min plan")).to_be_visible()
    screenshot(page, "participant-plan")
    text = page.locator("body").inner_text()
    assert not [name for name in others if name in text], "another participant's name is shown"
    for hidden_route in ("#/participants", "#/employers", "#/team"):
        page.goto(f"/{hidden_route}")
        assert not [name for name in others if name in page.locator("body").inner_text()]

    page.goto("/#/")
    page.get_by_role("checkbox", name=step_title).first.check()
    assert _eventually(
        lambda: _one(app, select(PlanStep.done_at).where(PlanStep.id == step_id))[0] is not None
    )


def _face_to_face_value(page: Page, specialist_id: uuid.UUID) -> Locator:
    section = page.locator(f"section[aria-labelledby='spec-{specialist_id}']")
    return section.locator("dt:has-text('Arbeidsgiverkontakter ansikt til ansikt') + dd").first


def _face_to_face_this_week(page: Page, specialist_id: uuid.UUID) -> int:
    value = _face_to_face_value(page, specialist_id)
    match = re.search(r"\d+", value.inner_text())
    assert match, value.inner_text()
    return int(match[0])


def _log_contact_now(app: Flask, specialist: Page, specialist_id: uuid.UUID, employer: str) -> None:
    """Log a contact with `employer` now, as the specialist does, and wait until it is synced."""
    specialist.get_by_role("link", name="Logg arbeidsgiverkontakt").first.click()
    specialist.get_by_label("Søk etter arbeidsgiver").fill(employer)
    specialist.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
    mine = EmployerContact.specialist_id == specialist_id
    contacts = _count(app, EmployerContact, mine)
    specialist.get_by_role("button", name="Lagre", exact=True).click()
    assert _eventually(lambda: _count(app, EmployerContact, mine) > contacts)


def test_a_supervisor_sees_the_weeks_counts_change_after_a_specialist_syncs(app, demo, new_context):
    js1 = _user_id(app, "js1@demo.no")
    employer = _one(app, select(Employer.name).order_by(Employer.name).limit(1))[0]
    supervisor = new_context().new_page()
    sign_in(supervisor, "leder@demo.no")
    expect(supervisor.get_by_role("heading", name=re.compile(r"Teamets uke"))).to_be_visible()
    screenshot(supervisor, "supervisor-team-week")
    before = _face_to_face_this_week(supervisor, js1)

    specialist = new_context().new_page()
    sign_in(specialist, "js1@demo.no")
    _log_contact_now(app, specialist, js1, employer)

    supervisor.get_by_role("button", name="Hent nye tall").click()
    # "5 av 6" contains "6": wait for the count itself, at the start of the value.
    expect(_face_to_face_value(supervisor, js1)).to_have_text(re.compile(rf"^\s*{before + 1}\D"))
    assert _face_to_face_this_week(supervisor, js1) == before + 1

    # The supervisor marks js1's week as reviewed with a comment; js1 sees it in "Min uke".
    section = supervisor.locator(f"section[aria-labelledby='spec-{js1}']")
    comment = "Fin uke. Husk oppfølging hos Rema."
    section.get_by_label("Kommentar til jobbspesialisten (valgfritt)").fill(comment)
    section.get_by_role("button", name=re.compile(r"Merk uke \d+ som gjennomgått")).click()
    expect(section.get_by_text(comment)).to_be_visible()
    assert _eventually(
        lambda: (
            _count(app, WeekReview, WeekReview.specialist_id == js1, WeekReview.comment == comment)
            == 1
        )
    )
    wait_synced(supervisor)
    assert _count(app, Conflict) == 0

    specialist.goto("/#/week")
    specialist.get_by_role("button", name="Synkroniser nå").click()
    expect(specialist.get_by_text(comment)).to_be_visible(timeout=30_000)
    specialist.get_by_text(comment).scroll_into_view_if_needed()
    screenshot(specialist, "specialist-week-reviewed")

    # Work logged for the week after its review: the supervisor is told the week changed since.
    section = supervisor.locator(f"section[aria-labelledby='spec-{js1}']")
    expect(section.get_by_text("Endret etter gjennomgangen")).to_have_count(0)
    _log_contact_now(app, specialist, js1, employer)
    supervisor.get_by_role("button", name="Hent nye tall").click()
    expect(section.get_by_text("Endret etter gjennomgangen")).to_be_visible()


def _participant_of(app: Flask, email: str) -> uuid.UUID:
    user = _user_id(app, email)
    return _one(app, select(Participant.id).where(Participant.user_id == user))[0]


def test_a_supervisor_sees_the_fidelity_profile_and_downloads_it_for_a_spreadsheet(
    app, demo, new_context
):
    page = new_context().new_page()
    sign_in(page, "leder@demo.no")
    page.get_by_role("link", name="Modelltroskap og resultater").click()
    expect(page.get_by_role("heading", name="Modelltroskap og resultater")).to_be_visible()
    # The demo's six months of logged work score the data-scored items.
    expect(page.get_by_role("img", name=re.compile(r"^IPS-profil: "))).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"17\. Hyppig arbeidsgiverkontakt"))
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile(r"^Resultater [1-4]\. kvartal \d{4}$"))
    ).to_be_visible()
    screenshot(page, "supervisor-fidelity")
    with page.expect_download() as download:
        page.get_by_role("button", name="Last ned som CSV").first.click()
    body = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.startswith("feltlogg-modelltroskap-")
    assert body.startswith("\ufeff".encode())
    header = body.decode("utf-8").lstrip("\ufeff").splitlines()[0]
    assert header.startswith("Punkt;Nr. i IPS-25;Tittel;"), header


def test_a_specialist_edits_a_participants_details_offline_and_it_reaches_the_server(
    app, demo, new_context
):
    participant = _participant_of(app, "deltaker1@demo.no")
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    wait_synced(page)
    context.set_offline(True)
    page.goto(f"/#/participants/{participant}")
    page.get_by_role("link", name="Endre opplysninger").click()
    page.get_by_label("Telefon (valgfritt)").fill("+47 912 34 567")
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Endre opplysninger"))).to_have_count(0)
    context.set_offline(False)
    assert _eventually(
        lambda: (
            _one(app, select(Participant.phone).where(Participant.id == participant))[0]
            == "+47 912 34 567"
        ),
        seconds=30,
    )


def _axe_violations(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text())  # not a <script> tag: the app's CSP refuses inline scripts
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def test_the_main_screens_have_no_serious_accessibility_violations(app, demo, new_context):
    assert AXE.exists(), "axe-core is missing: run `npm ci` in pwa/"
    found: dict[str, list[str]] = {}
    page = new_context().new_page()
    page.goto("/")
    page.get_by_label("E-post").wait_for()
    found["login"] = [v["id"] for v in _axe_violations(page)]
    participant = _participant_of(app, "deltaker1@demo.no")
    employer = _one(app, select(Employer.id).order_by(Employer.name).limit(1))[0]
    screens = {
        "js1@demo.no": [
            "#/today",
            "#/participants",
            "#/log-contact",
            "#/log-meeting",
            "#/employers",
            "#/jobs",
            "#/week",
            "#/conflicts",
            "#/settings",
            "#/team-meetings",
            f"#/participants/{participant}/edit",
            f"#/participants/{participant}/profile",
            f"#/employers/{employer}/edit",
        ],
        "deltaker1@demo.no": ["#/"],
        "leder@demo.no": ["#/team", "#/fidelity"],
    }
    for email, routes in screens.items():
        page = new_context().new_page()
        sign_in(page, email)
        for route in routes:
            page.goto(f"/{route}")
            page.wait_for_load_state("networkidle")
            found[f"{email} {route}"] = [
                f"{v['id']}: {v['nodes'][0]['target']}" for v in _axe_violations(page)
            ]
    assert not {screen: ids for screen, ids in found.items() if ids}, found


def test_the_manifest_and_service_worker_make_the_app_installable(
    app, demo, playwright, base_url, tmp_path
):
    # A profile on disk, as a phone's browser has: Chromium offers no install in incognito.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=["--no-sandbox"],
        base_url=base_url,
        viewport=PHONE,
    )
    try:
        page = context.new_page()
        page.goto("/")
        manifest_href = page.locator("link[rel=manifest]").get_attribute("href")
        assert manifest_href
        response = page.request.get(manifest_href)
        assert response.ok and "manifest+json" in response.headers["content-type"]
        manifest = json.loads(response.text())
        assert manifest["display"] == "standalone" and manifest["start_url"]
        assert manifest["name"] and manifest["short_name"]
        sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
        assert {"192x192", "512x512"} <= sizes
        scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
        assert scope == f"{base_url}/"
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        # Chromium's own verdict, as behind its install button.
        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
    finally:
        context.close()


def _service_worker_registration(page: Page, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The live registration from the DevTools events (Playwright delivers events only while
    it is called, hence the page's own waits)."""
    for _ in range(100):
        live = [r for r in events if not r["isDeleted"]]
        if live:
            return live[-1]
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration reported: {events}")


def test_a_push_message_shows_a_notification_without_personal_data_and_the_menu_offers_push(
    app, demo, new_context, base_url
):
    """The push service itself is a third party the test cannot reach; Chromium's DevTools
    protocol hands the service worker a push message as the push service would."""
    context = new_context()
    context.grant_permissions(["notifications"])
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _controlled_by_the_service_worker(page)

    page.goto("/#/settings")
    expect(page.get_by_role("heading", name="Varsler")).to_be_visible()
    expect(page.get_by_role("button", name="Slå på varsler")).to_be_visible()
    # Which reminders, and quiet hours: saved for the user, so they hold on a reload.
    weekly = page.get_by_label("Torsdag: arbeidsgiverkontakter så langt i uken")
    expect(weekly).to_be_checked()
    weekly.uncheck()
    page.get_by_role("button", name="Lagre varselinnstillinger").click()
    expect(page.get_by_text("Varselinnstillingene er lagret.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Torsdag: arbeidsgiverkontakter så langt i uken")).not_to_be_checked()
    expect(
        page.get_by_label("Møter (kvelden før, og en time før for jobbspesialisten)")
    ).to_be_checked()

    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    registration = _service_worker_registration(page, registrations)
    participant = str(_participant_of(app, "deltaker1@demo.no"))
    payload = {
        "kind": "not_met_nudge",
        "id": participant,
        "title": "Feltlogg",
        "body": "Det er en stund siden du møtte en av deltakerne dine.",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": base_url.rstrip("/"),
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )

    def notifications() -> Any:
        return page.evaluate(
            """() => navigator.serviceWorker.ready
                .then(r => r.getNotifications())
                .then(n => n.map(x => ({title: x.title, body: x.body, data: x.data})))"""
        )

    shown = _eventually(notifications, seconds=10)
    assert shown == [
        {
            "title": "Feltlogg",
            "body": payload["body"],
            "data": {"kind": "not_met_nudge", "id": participant},
        }
    ]


def test_a_new_deployment_is_offered_and_applied_without_losing_the_outbox(app, demo, new_context):
    from api import PWA_DIST

    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _controlled_by_the_service_worker(page)
    # A change that cannot reach the server yet (its pushes fail) waits in the outbox.
    context.route("**/api/v1/sync/push", lambda route: route.abort())
    employer = _one(app, select(Employer.name).order_by(Employer.name).limit(1))[0]
    page.get_by_role("link", name="Logg arbeidsgiverkontakt").first.click()
    page.get_by_label("Søk etter arbeidsgiver").fill(employer)
    page.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Ikke synkronisert: 1")).to_be_visible()

    worker = PWA_DIST / "sw.js"
    original = worker.read_bytes()
    try:
        worker.write_bytes(original + b"\n// the next deployment\n")
        page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        expect(page.get_by_text("Ny versjon er klar")).to_be_visible(timeout=20_000)
        page.evaluate("window.beforeTheUpdate = true")
        page.get_by_role("button", name="Oppdater").click()
        # The new version takes over and the page reloads.
        page.wait_for_function("() => window.beforeTheUpdate === undefined", timeout=20_000)
    finally:
        worker.write_bytes(original)
    expect(page.get_by_text("Ikke synkronisert: 1")).to_be_visible()
    contacts = _count(app, EmployerContact)
    context.unroute("**/api/v1/sync/push")
    page.get_by_role("button", name="Synkroniser nå").click()
    assert _eventually(lambda: _count(app, EmployerContact) == contacts + 1)


def test_background_sync_pushes_the_outbox_when_the_app_is_closed(app, demo, new_context, base_url):
    """Chromium fires Background Sync when the network returns; its DevTools protocol fires the
    same event here, after the app's page has gone."""
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    _controlled_by_the_service_worker(page)
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    registration = _service_worker_registration(page, registrations)
    context.set_offline(True)
    contacts = _count(app, EmployerContact)
    employer = _one(app, select(Employer.name).order_by(Employer.name).limit(1))[0]
    page.get_by_role("link", name="Logg arbeidsgiverkontakt").first.click()
    page.get_by_label("Søk etter arbeidsgiver").fill(employer)
    page.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Ikke synkronisert: 1")).to_be_visible()

    page.goto("about:blank")  # the app is closed: only its service worker can push now
    # The page could not send it (offline), but Chromium may already have fired the sync event:
    # Background Sync goes by the machine's network, which the page's offline emulation leaves
    # alone. Either way the contact arrives once, from the service worker.
    assert _count(app, EmployerContact) in (contacts, contacts + 1)
    context.set_offline(False)
    # Chromium may fire the sync event by itself now that the network is back; if it has not
    # within two seconds, the DevTools protocol fires it.
    if not _eventually(lambda: _count(app, EmployerContact) == contacts + 1, seconds=2):
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": base_url.rstrip("/"),
                "registrationId": registration["registrationId"],
                "tag": "feltlogg-outbox",
                "lastChance": False,
            },
        )
    assert _eventually(lambda: _count(app, EmployerContact) == contacts + 1, seconds=20)


def test_a_name_written_like_html_is_shown_as_text_and_never_runs(app, demo, new_context):
    """Text is data: a participant named like an <img onerror> tag is shown as those characters,
    and the script in it does not run (CSP would refuse it too; the point is that the app never
    makes an element of it)."""
    name = "<img src=x onerror=window.__xss=1>"
    js1 = _user_id(app, "js1@demo.no")
    with app.app_context():
        specialist = db.session.get(User, js1)
        assert specialist is not None
        participant = Participant(
            team_id=specialist.team_id,
            specialist_id=js1,
            first_name=name,
            last_name="Hansen",
            enrolled_on=date(2026, 9, 1),
            status="active",
        )
        db.session.add(participant)
        db.session.commit()
        participant_id = participant.id
        db.session.remove()
    page = new_context().new_page()
    sign_in(page, "js1@demo.no")
    page.goto("/#/participants")
    expect(page.get_by_text(f"{name} Hansen", exact=True)).to_be_visible()
    page.goto(f"/#/participants/{participant_id}")
    expect(page.get_by_role("heading", name=f"{name} Hansen")).to_be_visible()
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
