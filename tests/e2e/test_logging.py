"""The log tells the truth about the week: in a real Chromium at 390 by 844 px against the API on
the test database, a specialist logs work late, corrects and removes it, leaves a half-filled
form only when they mean to, and finds job matches and employers on a phone. Each test then
checks what the server holds: its rows, and the weekly and fidelity reports built from them.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from api.accounts.models import User
from api.activity.models import EmployerContact
from api.employers.models import Employer
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Participant
from tests.e2e.conftest import DEMO_PASSWORD, sign_in, wait_synced

OSLO = ZoneInfo("Europe/Oslo")
PHONE_390 = {"width": 390, "height": 844}
ENDED = ("ended", "declined", "rejected")


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


def _eventually(check: Any, seconds: float = 30) -> Any:
    """What the server holds once the app's sync loop has caught up (changes that can still be
    taken back wait out their five seconds first)."""
    deadline = monotonic() + seconds
    while True:
        value = check()
        if value or monotonic() > deadline:
            return value
        sleep(0.25)


def _phone(new_context: Any) -> tuple[BrowserContext, Page]:
    context = new_context()
    page = context.new_page()
    page.set_viewport_size(PHONE_390)
    return context, page


def _as_supervisor(app: Flask, path: str, **query: str) -> Any:
    """A report as the team's supervisor reads it, through the API."""
    client = app.test_client()
    signed_in = client.post(
        "/api/v1/auth/login", json={"email": "leder@demo.no", "password": DEMO_PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.json
    response = client.get(
        path,
        query_string=query,
        headers={"Authorization": f"Bearer {signed_in.json['access_token']}"},
    )
    assert response.status_code == 200, response.json
    return response.json


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _week_row(app: Flask, specialist: uuid.UUID, week: str) -> dict[str, Any]:
    report = _as_supervisor(app, "/api/v1/reports/weekly", **{"from": week, "to": week})
    [row] = [s for s in report["specialists"] if s["specialist_id"] == str(specialist)]
    [numbers] = row["weeks"]
    return numbers


def _fidelity_face_to_face(app: Flask, specialist: uuid.UUID, monday: date) -> int:
    """The specialist's face-to-face contacts in the evidence of "frequent employer contact",
    for the one whole week starting `monday`."""
    report = _as_supervisor(
        app,
        "/api/v1/reports/fidelity",
        **{"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()},
    )
    [item] = [i for i in report["items"] if i["item"] == "frequent_employer_contact"]
    [evidence] = [
        s for s in item["evidence"]["specialists"] if s["specialist_id"] == str(specialist)
    ]
    return int(evidence["face_to_face_contacts"])


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE_390["width"], f"{page.url} is {width} px wide"


def _one_dialog(page: Page, accept: bool, into: list[str]) -> None:
    def answer(dialog: Any) -> None:
        into.append(f"{dialog.type}: {dialog.message}")
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", answer)


def test_a_contact_logged_on_monday_for_last_friday_counts_in_last_weeks_report_and_fidelity(
    app, demo, new_context, monkeypatch
):
    monkeypatch.setitem(app.config, "ACTIVITY_MAX_DAYS_BACK", 14)
    js1 = _user_id(app, "js1@demo.no")
    employer_id, employer = _one(
        app, select(Employer.id, Employer.name).order_by(Employer.name).limit(1)
    )
    # The phone's clock says Monday 09:00 (the latest one that has passed: the server's clock
    # is real, and refuses work logged in its future); the visit was on Friday afternoon.
    real_now = datetime.now(OSLO) - timedelta(minutes=20)
    monday = real_now.date() - timedelta(days=real_now.weekday())
    if datetime.combine(monday, time(9, 0), OSLO) > real_now:
        monday -= timedelta(days=7)
    phone_time = datetime.combine(monday, time(9, 0), OSLO)
    friday = monday - timedelta(days=3)
    last_week = _iso_week(friday)
    assert last_week != _iso_week(monday)
    week_before = _week_row(app, js1, last_week)
    fidelity_before = _fidelity_face_to_face(app, js1, friday - timedelta(days=4))

    context, page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    # From here on the phone's clock runs from Monday 09:00 (the page starts again with it).
    context.clock.install(time=phone_time)
    page.reload()
    wait_synced(page)
    assert page.evaluate("() => new Date().getDay()") == 1

    page.goto(f"/#/log-contact/{employer_id}")
    expect(page.get_by_role("heading", name=f"Kontakt med {employer}")).to_be_visible()
    when = page.get_by_role("group", name="Når var kontakten?")
    # Now, by default; "I dag" and "I går" one tap away; the picker bounded by the settings.
    expect(when.get_by_role("button", name="I dag")).to_have_attribute("aria-pressed", "true")
    expect(when.get_by_label("Dato")).to_have_value(monday.isoformat())
    expect(when.get_by_label("Dato")).to_have_attribute(
        "min", (monday - timedelta(days=14)).isoformat()
    )
    expect(when.get_by_label("Dato")).to_have_attribute("max", monday.isoformat())
    when.get_by_role("button", name="I går").click()
    expect(when.get_by_label("Dato")).to_have_value((monday - timedelta(days=1)).isoformat())

    # The form checks the server's rule and says what to fix: not 15 days back, not later today.
    def js1_contacts() -> int:
        return int(
            _one(
                app,
                select(func.count())
                .select_from(EmployerContact)
                .where(EmployerContact.specialist_id == js1),
            )[0]
        )

    contacts_before = js1_contacts()
    when.get_by_label("Dato").fill((monday - timedelta(days=15)).isoformat())
    when.get_by_label("Klokkeslett").fill("14:00")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(
        page.get_by_text(re.compile(r"Det kan være høyst 14 dager siden\. Velg .+ eller senere\."))
    ).to_be_visible()
    when.get_by_label("Dato").fill(monday.isoformat())
    when.get_by_label("Klokkeslett").fill("23:30")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("En kontakt kan ikke være fram i tid.", exact=False)).to_be_visible()

    when.get_by_label("Dato").fill(friday.isoformat())
    when.get_by_label("Klokkeslett").fill("14:00")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text(f"Kontakt med {employer} er lagret")).to_be_visible()
    # Until it is on the server: the status the page shows may not have counted it yet.
    assert _eventually(lambda: js1_contacts() == contacts_before + 1)
    wait_synced(page)

    contacted_at, logged_at, mode = _one(
        app,
        select(EmployerContact.contacted_at, EmployerContact.logged_at, EmployerContact.mode)
        .where(EmployerContact.specialist_id == js1)
        # The last one written, in the feed's order.
        .order_by(EmployerContact.seq.desc())
        .limit(1),
    )
    assert contacted_at == datetime.combine(friday, time(14, 0), OSLO)
    assert phone_time <= logged_at < phone_time + timedelta(minutes=10)
    assert mode == "in_person"
    assert js1_contacts() == contacts_before + 1

    week_after = _week_row(app, js1, last_week)
    assert (
        week_after["face_to_face_employer_contacts"]
        == week_before["face_to_face_employer_contacts"] + 1
    )
    assert week_after["employer_contacts"] == week_before["employer_contacts"] + 1
    # Logged after the supervisor's review of that week (if there was one): the report says so.
    assert week_after["changed_after_review"] == week_after["reviewed"]
    assert _fidelity_face_to_face(app, js1, friday - timedelta(days=4)) == fidelity_before + 1


def _contacts_of_a_week(app: Flask, specialist: uuid.UUID) -> tuple[date, list[tuple[Any, ...]]]:
    """A recent week (of the four "Min uke" lists) with at least three of the specialist's
    contacts, two of them face to face: (its Monday, its contacts, face-to-face ones first)."""
    today = datetime.now(OSLO).date()
    this_monday = today - timedelta(days=today.weekday())
    for weeks_back in (1, 2, 3, 0):
        monday = this_monday - timedelta(days=7 * weeks_back)
        start = datetime.combine(monday, time(0), OSLO)
        rows = _query(
            app,
            select(EmployerContact.id, EmployerContact.mode, Employer.name)
            .join(Employer, Employer.id == EmployerContact.employer_id)
            .where(
                EmployerContact.specialist_id == specialist,
                EmployerContact.deleted_at.is_(None),
                EmployerContact.contacted_at >= start,
                EmployerContact.contacted_at < start + timedelta(days=7),
                EmployerContact.contacted_at < datetime.now(OSLO),
            )
            .order_by(
                (EmployerContact.mode == "in_person").desc(), EmployerContact.contacted_at.desc()
            ),
        )
        if len(rows) >= 3 and sum(1 for row in rows if row.mode == "in_person") >= 2:
            return monday, rows
    raise AssertionError("the demo has no recent week with three contacts of js1")


def _open_from_my_week(page: Page, week_number: int, contact_id: uuid.UUID) -> None:
    page.get_by_role("link", name="Min uke").click()
    page.get_by_label("Velg uke").select_option(label=f"Uke {week_number}")
    expect(page).to_have_url(re.compile(r"#/week\?week=\d{4}-W\d{2}$"))
    work = page.get_by_role("region", name="Ukens kontakter og møter")
    expect(work.get_by_role("link").first).to_be_visible()
    # The week's work comes a page at a time.
    link = work.locator(f"a[href='#/contacts/{contact_id}/edit']")
    more = work.get_by_role("button", name=re.compile(r"^Vis \d+ til$"))
    while link.count() == 0 and more.count() > 0:
        more.click()
    link.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Endre kontakt med "))).to_be_visible()


def test_a_contact_corrected_and_one_removed_reach_the_server_and_change_the_weekly_report(
    app, demo, new_context
):
    js1 = _user_id(app, "js1@demo.no")
    monday, contacts = _contacts_of_a_week(app, js1)
    (corrected, _, corrected_at), (removed, _, removed_at), (kept, _, kept_at) = contacts[:3]
    week = _iso_week(monday)
    week_number = monday.isocalendar()[1]
    before = _week_row(app, js1, week)

    _, page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    page.get_by_role("link", name="Min uke").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Min uke"))).to_be_visible()
    _fits_the_phone(page)

    # Correct: it was a phone call, not a visit.
    _open_from_my_week(page, week_number, corrected)
    switch = page.get_by_role("switch", name="Ansikt til ansikt")
    expect(switch).to_be_checked()
    switch.uncheck()
    page.get_by_label("Telefon").check()
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_text(f"Endringene i kontakten med {corrected_at} er lagret")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"#/week\?week={week}$"))
    expect(page.get_by_label("Velg uke")).to_have_value(week)
    assert _eventually(
        lambda: (
            _one(app, select(EmployerContact.mode).where(EmployerContact.id == corrected))[0]
            == "phone"
        )
    )

    # Remove one logged by mistake.
    _open_from_my_week(page, week_number, removed)
    page.get_by_role("button", name="Slett kontakten").click()
    expect(page.get_by_text(f"Kontakten med {removed_at} er slettet")).to_be_visible()
    expect(page.get_by_role("button", name="Angre")).to_be_visible()
    assert _eventually(
        lambda: (
            _one(app, select(EmployerContact.deleted_at).where(EmployerContact.id == removed))[0]
            is not None
        )
    )

    # A delete taken back with "Angre" never reaches the server.
    _open_from_my_week(page, week_number, kept)
    page.get_by_role("button", name="Slett kontakten").click()
    expect(page.get_by_text(f"Kontakten med {kept_at} er slettet")).to_be_visible()
    page.get_by_role("button", name="Angre").click()
    expect(page.locator(f"a[href='#/contacts/{kept}/edit']")).to_be_visible()
    wait_synced(page)
    assert (
        _one(app, select(EmployerContact.deleted_at).where(EmployerContact.id == kept))[0] is None
    )

    after = _week_row(app, js1, week)
    assert after["employer_contacts"] == before["employer_contacts"] - 1
    assert after["face_to_face_employer_contacts"] == before["face_to_face_employer_contacts"] - 2
    assert after["changed_after_review"] == after["reviewed"]
    # The phone's own count of the week agrees with the server's.
    column = 1 + (datetime.now(OSLO).date() - monday).days // 7
    counts = page.locator("table.week-table tbody tr")
    expect(counts.filter(has_text="Kontakter").locator("td").nth(column - 1)).to_have_text(
        str(after["employer_contacts"])
    )
    expect(counts.filter(has_text="Ansikt til ansikt").locator("td").nth(column - 1)).to_have_text(
        str(after["face_to_face_employer_contacts"])
    )


def test_leaving_a_half_filled_form_asks_first(app, demo, new_context):
    js1 = _user_id(app, "js1@demo.no")
    employer_id, employer = _one(
        app, select(Employer.id, Employer.name).order_by(Employer.name).limit(1)
    )
    contacts = int(
        _one(
            app,
            select(func.count())
            .select_from(EmployerContact)
            .where(EmployerContact.specialist_id == js1),
        )[0]
    )
    _, page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    log_contact = page.get_by_role("link", name="Logg arbeidsgiverkontakt")
    expect(log_contact).to_have_count(2)  # Today's own button and the floating one
    log_contact.first.click()
    page.get_by_label("Søk etter arbeidsgiver").fill(employer)
    page.get_by_role("link", name=re.compile(re.escape(employer))).first.click()
    form_url = page.url
    assert form_url.endswith(f"#/log-contact/{employer_id}")
    # No floating button on a form: nothing covers "Lagre".
    expect(page.get_by_role("link", name="Logg arbeidsgiverkontakt")).to_have_count(0)
    purpose = page.get_by_label("Formål (valgfritt)")
    purpose.fill("Presentere kandidat")

    asked: list[str] = []
    # A tab in the menu: cancel keeps the form and what was typed.
    _one_dialog(page, accept=False, into=asked)
    page.get_by_role("link", name="I dag", exact=True).click()
    expect(page.get_by_role("heading", name=f"Kontakt med {employer}")).to_be_visible()
    expect(purpose).to_have_value("Presentere kandidat")
    assert page.url == form_url

    # The back button: asked too, and cancelled the address stays.
    with page.expect_event("dialog") as back:
        page.evaluate("() => history.back()")
    asked.append(f"{back.value.type}: {back.value.message}")
    back.value.dismiss()
    expect(purpose).to_have_value("Presentere kandidat")
    expect(page.get_by_role("heading", name=f"Kontakt med {employer}")).to_be_visible()
    assert page.url == form_url

    # Closing the tab: the browser asks; cancelled, the page and the input stay.
    _one_dialog(page, accept=False, into=asked)
    page.close(run_before_unload=True)
    expect(purpose).to_have_value("Presentere kandidat")
    assert not page.is_closed()

    assert [entry.split(":")[0] for entry in asked] == ["confirm", "confirm", "beforeunload"]
    assert all("Forkaste endringene?" in entry for entry in asked[:2]), asked

    # Confirmed, the user leaves and nothing is saved.
    _one_dialog(page, accept=True, into=asked)
    page.get_by_role("link", name="I dag", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"^I dag, "))).to_be_visible()
    assert len(asked) == 4
    wait_synced(page)
    assert (
        _one(
            app,
            select(func.count())
            .select_from(EmployerContact)
            .where(EmployerContact.specialist_id == js1),
        )[0]
        == contacts
    )

    # An untouched form is left without a question.
    page.goto(f"/#/log-contact/{employer_id}")
    expect(page.get_by_role("heading", name=f"Kontakt med {employer}")).to_be_visible()
    page.get_by_role("link", name="Jobbmatcher").click()
    expect(page.get_by_role("heading", name="Jobbmatcher")).to_be_visible()
    assert len(asked) == 4


def test_every_form_of_the_caseload_asks_before_unsaved_input_is_lost(app, demo, new_context):
    """Intake, a participant's details, a career profile and a team meeting, as the contact form
    above: a question before leaving with input typed; cancelled, the form and input stay."""
    js1 = _user_id(app, "js1@demo.no")
    participant_id, first_name = _one(
        app,
        select(Participant.id, Participant.first_name)
        .where(Participant.specialist_id == js1, Participant.deleted_at.is_(None))
        .order_by(Participant.last_name)
        .limit(1),
    )
    _, page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    forms = [
        ("/#/participants/new", "Fornavn", "Kari"),
        (f"/#/participants/{participant_id}/edit", "Fornavn", f"{first_name} Marie"),
        (f"/#/participants/{participant_id}/profile", "Jobbønsker", "Lager, gjerne dagtid"),
        ("/#/team-meetings", "Notat (valgfritt)", "Avtalte ny samtale med NAV"),
    ]
    for path, label, typed in forms:
        page.goto(path)
        field = page.get_by_label(label, exact=True)
        field.fill(typed)
        form_url = page.url
        asked: list[str] = []
        _one_dialog(page, accept=False, into=asked)
        page.get_by_role("link", name="I dag", exact=True).click()
        expect(field).to_have_value(typed)
        assert page.url == form_url, path
        _one_dialog(page, accept=True, into=asked)
        page.get_by_role("link", name="I dag", exact=True).click()
        expect(page.get_by_role("heading", name=re.compile(r"^I dag, "))).to_be_visible()
        assert [entry.split(":")[0] for entry in asked] == ["confirm", "confirm"], (path, asked)
        assert all("Forkaste endringene?" in entry for entry in asked), (path, asked)
    # Nothing was saved on the way.
    assert _one(app, select(Participant.first_name).where(Participant.id == participant_id)) == (
        first_name,
    )


def _matches_of(app: Flask, specialist: uuid.UUID) -> list[Any]:
    return _query(
        app,
        select(
            JobMatch.id,
            JobMatch.job_title,
            JobMatch.status,
            Employer.name,
            Participant.first_name,
            Participant.last_name,
        )
        .join(Participant, Participant.id == JobMatch.participant_id)
        .join(Employer, Employer.id == JobMatch.employer_id)
        .where(Participant.specialist_id == specialist, JobMatch.deleted_at.is_(None)),
    )


def test_job_matches_filter_and_search_on_a_phone_and_a_match_is_corrected_and_removed(
    app, demo, new_context
):
    js1 = _user_id(app, "js1@demo.no")
    matches = _matches_of(app, js1)
    active = [m for m in matches if m.status not in ENDED]
    ended = [m for m in matches if m.status in ENDED]
    assert len(matches) > 20 and active and ended
    _, page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    page.get_by_role("link", name="Jobbmatcher").click()
    expect(page.get_by_role("heading", name="Jobbmatcher")).to_be_visible()
    listed = page.locator("ul.job-list > li")

    # Active ones by default.
    expect(page.get_by_role("radio", name="Aktive")).to_be_checked()
    expect(page.get_by_text(f"Viser {min(20, len(active))} av {len(active)}")).to_be_visible()
    expect(listed).to_have_count(min(20, len(active)))
    _fits_the_phone(page)
    page.get_by_role("radio", name="Avsluttede").check()
    expect(page.get_by_text(f"Viser {min(20, len(ended))} av {len(ended)}")).to_be_visible()
    # All of them, a page at a time rather than one long list.
    page.get_by_role("radio", name="Alle").check()
    expect(listed).to_have_count(20)
    shown = 20
    while shown < len(matches):
        more = min(20, len(matches) - shown)
        page.get_by_role("button", name=f"Vis {more} til").click()
        shown += more
        expect(listed).to_have_count(shown)
    expect(page.get_by_role("button", name=re.compile(r"^Vis \d+ til$"))).to_have_count(0)

    # Search by participant, by employer, by job title.
    person = matches[0]
    name = f"{person.first_name} {person.last_name}"
    page.get_by_label("Søk etter deltaker, arbeidsgiver eller stilling").fill(name)
    expect(listed).to_have_count(sum(1 for m in matches if f"{m.first_name} {m.last_name}" == name))
    firm = ended[0].name
    page.get_by_label("Søk etter deltaker, arbeidsgiver eller stilling").fill(firm)
    expect(listed).to_have_count(
        sum(
            1
            for m in matches
            if firm.lower() in f"{m.job_title} {m.first_name} {m.last_name} {m.name}".lower()
        )
    )
    page.get_by_role("radio", name="Avsluttede").check()
    expect(listed).to_have_count(
        sum(
            1
            for m in ended
            if firm.lower() in f"{m.job_title} {m.first_name} {m.last_name} {m.name}".lower()
        )
    )
    page.get_by_label("Søk etter deltaker, arbeidsgiver eller stilling").fill(
        "ingen slik stilling finnes"
    )
    expect(page.get_by_text("Ingen treff. Prøv et annet søkeord.")).to_be_visible()

    # Correct a match's title; remove another. Both reach the server.
    target, other = active[0], active[1]
    page.get_by_role("radio", name="Alle").check()
    page.get_by_label("Søk etter deltaker, arbeidsgiver eller stilling").fill(target.job_title)
    page.get_by_role("link", name=f"Endre {target.job_title}").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Endre jobbmatch: "))).to_be_visible()
    page.get_by_label("Stilling").fill("Butikkmedarbeider, deltid")
    page.get_by_role("button", name="Lagre endringene").click()
    expect(page.get_by_text("Endringene i Butikkmedarbeider, deltid er lagret")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/jobs$"))
    page.goto(f"/#/jobs/{other.id}/edit")
    page.get_by_role("button", name="Slett jobbmatchen").click()
    expect(page.get_by_text(f"Jobbmatchen {other.job_title} er slettet")).to_be_visible()
    assert _eventually(
        lambda: (
            _one(app, select(JobMatch.job_title).where(JobMatch.id == target.id))[0]
            == "Butikkmedarbeider, deltid"
        )
    )
    assert _eventually(
        lambda: _one(app, select(JobMatch.deleted_at).where(JobMatch.id == other.id))[0] is not None
    )


def test_an_employer_page_shows_who_to_call_the_contacts_newest_first_and_a_new_one_returns_there(
    app, demo, new_context
):
    js1 = _user_id(app, "js1@demo.no")
    [(employer_id, employer, contact_person, phone, count)] = _query(
        app,
        select(
            Employer.id,
            Employer.name,
            Employer.contact_person,
            Employer.phone,
            func.count(EmployerContact.id),
        )
        .join(EmployerContact, EmployerContact.employer_id == Employer.id)
        .where(
            EmployerContact.specialist_id == js1,
            EmployerContact.deleted_at.is_(None),
            Employer.contact_person.is_not(None),
            Employer.phone.is_not(None),
        )
        .group_by(Employer.id, Employer.name, Employer.contact_person, Employer.phone)
        .order_by(func.count(EmployerContact.id).desc(), Employer.name)
        .limit(1),
    )
    newest = _query(
        app,
        select(EmployerContact.id)
        .where(
            EmployerContact.specialist_id == js1,
            EmployerContact.employer_id == employer_id,
            EmployerContact.deleted_at.is_(None),
        )
        .order_by(EmployerContact.contacted_at.desc())
        .limit(3),
    )
    _, page = _phone(new_context)
    sign_in(page, "js1@demo.no")
    page.get_by_role("link", name="Arbeidsgivere").click()
    page.get_by_label("Søk etter arbeidsgiver").fill(employer)
    # The employer's name opens its page; a separate button starts a contact.
    expect(page.get_by_role("link", name=f"Ny kontakt med {employer}")).to_be_visible()
    page.get_by_role("link", name=re.compile(rf"^{re.escape(employer)}")).first.click()
    expect(page.get_by_role("heading", name=employer, exact=True)).to_be_visible()
    card = page.get_by_role("region", name="Kontaktperson")
    expect(card).to_contain_text(contact_person)
    expect(card.get_by_role("link", name=phone)).to_have_attribute(
        "href", re.compile(r"^tel:\+?\d+$")
    )
    _fits_the_phone(page)

    contacts = page.get_by_role("region", name=re.compile(r"^Dine kontakter"))
    expect(contacts.get_by_role("heading")).to_have_text(f"Dine kontakter ({count})")
    rows = contacts.locator("a[href^='#/contacts/']")
    for index, (contact_id,) in enumerate(newest):
        expect(rows.nth(index)).to_have_attribute("href", f"#/contacts/{contact_id}/edit")

    # A new contact from here comes back here when saved, at the top of the list.
    page.get_by_role("link", name="Logg kontakt", exact=True).click()
    page.get_by_label("Formål (valgfritt)").fill("Følge opp ny stilling")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page).to_have_url(re.compile(rf"#/employers/{employer_id}$"))
    expect(rows.first).to_contain_text("Følge opp ny stilling")
    expect(contacts.get_by_role("heading")).to_have_text(f"Dine kontakter ({count + 1})")
    wait_synced(page)
    assert (
        _one(
            app,
            select(func.count())
            .select_from(EmployerContact)
            .where(
                EmployerContact.employer_id == employer_id,
                EmployerContact.purpose == "Følge opp ny stilling",
                EmployerContact.specialist_id == js1,
            ),
        )[0]
        == 1
    )
