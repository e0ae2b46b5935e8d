"""Every screen fits a phone: each role's screens (the routes of pwa/src/App.tsx) at 360 and at
390 pixels wide, with nothing wider than the screen and no serious or critical accessibility
violation; and each role's home screen keeps still while it loads and syncs (no layout shift).

The screens are filled as they are in use: the demo team's data, a conflict waiting, and a change
the server refused, so that the status bar carries its badges too.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from api.accounts.models import User
from api.activity.models import EmployerContact, Meeting
from api.conflicts.models import Conflict
from api.employers.models import Employer
from api.extensions import db
from api.jobs.models import JobMatch
from api.participants.models import Participant
from tests.e2e.conftest import sign_in, wait_synced

AXE = Path(__file__).resolve().parents[2] / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (360, 390)
HEIGHT = 780
# Most of a layout shift score under which a screen counts as still (Core Web Vitals' "good").
CLS_LIMIT = 0.1


def _scalar(app: Flask, statement: Any) -> Any:
    with app.app_context():
        try:
            return db.session.scalar(statement)
        finally:
            db.session.remove()


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        db.session.expunge(user)
        db.session.remove()
    return user


def _demo_ids(app: Flask) -> dict[str, uuid.UUID]:
    js1 = _user(app, "js1@demo.no")
    deltaker1 = _user(app, "deltaker1@demo.no")
    participant = _scalar(app, select(Participant.id).where(Participant.user_id == deltaker1.id))
    mine = select(Participant.id).where(Participant.specialist_id == js1.id)
    return {
        "js1": js1.id,
        "team": js1.team_id,
        "participant": participant,
        "employer": _scalar(app, select(Employer.id).order_by(Employer.name).limit(1)),
        "contact": _scalar(
            app,
            select(EmployerContact.id)
            .where(EmployerContact.specialist_id == js1.id, EmployerContact.deleted_at.is_(None))
            .order_by(EmployerContact.contacted_at.desc())
            .limit(1),
        ),
        "meeting": _scalar(
            app,
            select(Meeting.id)
            .where(
                Meeting.specialist_id == js1.id,
                Meeting.deleted_at.is_(None),
                Meeting.starts_at < datetime.now(UTC),
            )
            .order_by(Meeting.starts_at.desc())
            .limit(1),
        ),
        "job": _scalar(
            app,
            select(JobMatch.id)
            .where(JobMatch.participant_id.in_(mine), JobMatch.deleted_at.is_(None))
            .order_by(JobMatch.id)
            .limit(1),
        ),
    }


def _screens(ids: dict[str, uuid.UUID]) -> dict[str, list[str]]:
    """Each role's screens, as App.tsx routes them."""
    participant, employer = ids["participant"], ids["employer"]
    shared = ["#/settings", "#/conflicts", "#/rejected"]
    return {
        "js1@demo.no": [
            "#/today",
            "#/participants",
            "#/participants/new",
            f"#/participants/{participant}",
            f"#/participants/{participant}/edit",
            f"#/participants/{participant}/profile",
            f"#/participants/{participant}/close",
            "#/log-contact",
            f"#/log-contact/{employer}",
            "#/log-meeting",
            f"#/log-meeting?participant={participant}",
            f"#/contacts/{ids['contact']}/edit",
            f"#/meetings/{ids['meeting']}/edit",
            "#/employers",
            "#/employers/new",
            f"#/employers/{employer}",
            f"#/employers/{employer}/edit",
            "#/jobs",
            "#/jobs/new",
            f"#/jobs/{ids['job']}/edit",
            "#/week",
            "#/team-meetings",
            *shared,
        ],
        "leder@demo.no": [
            "#/team",
            f"#/team/{ids['js1']}",
            "#/fidelity",
            "#/transfer",
            *shared,
        ],
        "deltaker1@demo.no": ["#/", *shared],
        "admin@demo.no": [
            "#/users",
            "#/users/new",
            f"#/users/{ids['js1']}",
            "#/teams",
            "#/transfer",
            *shared,
        ],
    }


# What sticks out of the screen: the page's own width, and every visible element past an edge.
# The skip link waits off screen until it has the focus, and .sr-only text is clipped to 1 px.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '') +
    ' «' + (el.textContent || '').trim().slice(0, 40) + '»';
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.sr-only') || (el.closest('.skip') && document.activeElement !== el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (box.right > width + 0.5 || box.left < -0.5 || box.width > width) {
      wide.push(name(el) + ' from ' + Math.round(box.left) + ' to ' + Math.round(box.right));
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide };
}"""


def _settle(page: Page) -> None:
    """Until the screen has its data: no request under way, a heading, nothing still loading."""
    page.wait_for_load_state("networkidle")
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.get_by_text("Laster …")).to_have_count(0)


def _axe(page: Page) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # not a <script> tag: the app's CSP refuses inline scripts
    violations = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
    )
    return [
        f"{v['id']}: {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _check(page: Page, routes: list[str], found: dict[str, Any], who: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for route in routes:
            page.goto(f"/{route}")
            _settle(page)
            fit = page.evaluate(OVERFLOW)
            problems: list[str] = []
            if fit["scrollWidth"] > fit["innerWidth"]:
                problems.append(f"scrollWidth {fit['scrollWidth']} > {fit['innerWidth']}")
            problems += [f"too wide: {w}" for w in fit["wide"][:5]]
            problems += _axe(page)
            if problems:
                found[f"{who} {route} @{width}"] = problems


def _waiting_conflict(app: Flask, ids: dict[str, uuid.UUID]) -> None:
    """A conflict about deltaker1's phone number, for js1 to look at."""
    with app.app_context():
        db.session.add(
            Conflict(
                team_id=ids["team"],
                entity="participants",
                record_id=ids["participant"],
                field="phone",
                kept_value="+47 900 00 001",
                other_value="+47 900 00 002",
                user_id=ids["js1"],
            )
        )
        db.session.commit()
        db.session.remove()


def _refuse_pushes(route: Route) -> None:
    """The server refuses every change in a push, as invalid, with its English field message."""
    body = json.loads(route.request.post_data or "{}")
    results = [
        {
            "mutation_id": mutation["mutation_id"],
            "status": "rejected",
            "code": "invalid",
            "detail": "The data is not valid.",
            "errors": {"title": ["Longer than maximum length 200."]},
        }
        for mutation in body.get("mutations", [])
    ]
    route.fulfill(
        status=200, content_type="application/json", body=json.dumps({"results": results})
    )


def _a_refused_step(page: Page, participant: uuid.UUID) -> None:
    """A plan step the server refuses, waiting on the rejected-changes screen."""
    # On the context: it sees the requests a service worker passes on, as well as the page's.
    page.context.route("**/api/v1/sync/push", _refuse_pushes)
    page.goto(f"/#/participants/{participant}")
    page.get_by_label("Hva skal gjøres").fill("Ringe to butikker i sentrum om ledige stillinger")
    page.get_by_role("button", name="Legg til steg").click()
    expect(page.get_by_role("link", name="Avvist: 1")).to_be_visible(timeout=30_000)
    page.context.unroute("**/api/v1/sync/push")


def test_every_screen_of_every_role_fits_a_phone_and_passes_axe(app, demo, new_context):
    assert AXE.exists(), "axe-core is missing: run `npm ci` in pwa/"
    ids = _demo_ids(app)
    assert all(ids.values()), ids
    _waiting_conflict(app, ids)
    found: dict[str, Any] = {}

    # Signed out: the sign-in screen and a password link that no longer works.
    page = new_context().new_page()
    _check(page, ["#/", "#/password/not-a-valid-code"], found, "signed out")

    for email, routes in _screens(ids).items():
        page = new_context().new_page()
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        sign_in(page, email)
        if email == "js1@demo.no":
            expect(page.get_by_role("link", name="Konflikter: 1")).to_be_visible()
            _a_refused_step(page, ids["participant"])
        _check(page, routes, found, email)
    assert not found, json.dumps(found, indent=2, ensure_ascii=False)


# Layout shifts from the start of the page, kept for the test to read (an init script, so that
# it runs before the app; buffered, so that shifts before it was observing count too).
WATCH_SHIFTS = """
window.__shifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__shifts.push({
      value: entry.value,
      at: Math.round(entry.startTime),
      sources: (entry.sources || []).map((s) => s.node && s.node.nodeType === 1
        ? s.node.tagName.toLowerCase() + '.' + [...s.node.classList].join('.') + ' «' +
          (s.node.textContent || '').trim().slice(0, 30) + '»'
        : String(s.node && s.node.nodeName)),
    });
  }
}).observe({ type: 'layout-shift', buffered: true });
"""


def _shifts_until_settled(page: Page) -> list[dict[str, Any]]:
    """The layout shifts from load until the first sync is done and nothing has moved for 2 s."""
    page.wait_for_function(
        "() => performance.getEntriesByName('sync:done').length > 0", timeout=60_000
    )
    wait_synced(page)
    page.wait_for_load_state("networkidle")
    seen = -1
    while True:
        shifts = page.evaluate("() => window.__shifts")
        if len(shifts) == seen:
            return shifts
        seen = len(shifts)
        page.wait_for_timeout(2_000)


def test_the_home_screen_of_every_role_does_not_shift_while_it_loads_and_syncs(
    app, demo, new_context
):
    homes = {
        "js1@demo.no": "I dag,",
        "leder@demo.no": "Teamets uke",
        "deltaker1@demo.no": "Min plan",
        "admin@demo.no": "Brukere",
    }
    scores: dict[str, Any] = {}
    for email, heading in homes.items():
        for width in WIDTHS:
            context = new_context()
            page = context.new_page()
            page.set_viewport_size({"width": width, "height": HEIGHT})
            sign_in(page, email)
            # The next start of the app, as when it is opened again: from load to settled.
            page.add_init_script(WATCH_SHIFTS)
            page.goto("/#/")
            page.reload()
            expect(page.get_by_role("heading", name=heading).first).to_be_visible()
            shifts = _shifts_until_settled(page)
            score = sum(shift["value"] for shift in shifts)
            if score >= CLS_LIMIT:
                scores[f"{email} @{width}"] = {"cls": round(score, 4), "shifts": shifts}
            context.close()
    assert not scores, json.dumps(scores, indent=2, ensure_ascii=False)
