"""Web push end to end in a real browser: Firefox ESR (the distribution's package) with its push
client connected to the project's own push service on 127.0.0.1 (tests/push_service.py, which
speaks the Mozilla Push Service protocol over a WebSocket), driven over Marionette.

The user turns notifications on in the app's menu; the scheduler's jobs queue and send a
reminder; Firefox decrypts it, the app's service worker shows it, and a tap on it opens the
record it is about. Firefox is the judge of the encryption: a message encrypted for other keys
is answered "decryption failed" and never shown. Firefox reaches nothing beyond 127.0.0.1: every
other host goes to a proxy address where nothing listens. Nothing here is skipped: without
Firefox or the built app the test fails and says what is missing.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from api.accounts.models import User
from api.common.time import local_zone
from api.extensions import db
from api.participants.models import Participant
from api.push.keys import load_vapid_keys
from api.push.models import PushSubscription
from api.push.payloads import BODIES, build_payload
from api.push.service import PushTarget, deliver
from api.scheduler.jobs import JOBS
from api.scheduler.models import Notification
from api.scheduler.runner import run_job
from tests.e2e.conftest import DEMO_PASSWORD
from tests.push_service import BrowserSubscription, PushService

with warnings.catch_warnings():
    # The driver's own dependencies import modules that Python deprecates; not ours to fix.
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver.by import By
    from marionette_driver.marionette import Marionette

FIREFOX = os.environ.get("FIREFOX_PATH") or "/usr/lib/firefox-esr/firefox-esr"
# The app's own words, so that a change of wording does not break the test.
CATALOGUE = json.loads(
    (Path(__file__).resolve().parents[2] / "pwa" / "src" / "i18n" / "nb.json").read_text()
)
# Firefox answers a message with one of these (PushServiceWebSocket: kACK_STATUS_TO_CODE).
DELIVERED, DECRYPTION_FAILED = 100, 101
SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def eventually(check: Callable[[], Any], what: str, seconds: float = SECONDS) -> Any:
    """check()'s first truthy value, asking every 0.2 s for up to `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still {value!r} after {seconds} s")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture(scope="module")
def firefox(push_service: PushService, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    assert Path(FIREFOX).exists(), f"Firefox ESR is not installed at {FIREFOX} (firefox-esr)"
    port, nowhere = free_port(), free_port()
    log = tmp_path_factory.mktemp("firefox") / "gecko.log"
    prefs = {
        "marionette.port": port,
        # Its push client talks to the test's push service, over plain ws:// on this machine.
        "dom.push.serverURL": push_service.ws_url,
        "dom.push.testing.allowInsecureServerURL": True,
        # Remote control turns the push connection off unless the profile turns it on.
        "dom.push.connection.enabled": True,
        "permissions.default.desktop-notification": 1,
        # Headless, notifications are shown by Firefox itself, not by the desktop.
        "alerts.useSystemBackend": False,
        # Every host but this machine goes through a proxy where nothing listens.
        "network.proxy.type": 1,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": nowhere,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": nowhere,
        "network.dns.disablePrefetch": True,
    }
    client = Marionette(
        host="127.0.0.1",
        port=port,
        bin=FIREFOX,
        headless=True,
        prefs=prefs,
        gecko_log=str(log),
        startup_timeout=120,
    )
    try:
        client.start_session()
    except Exception:
        print(log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)")
        raise
    client.timeout.script = SECONDS
    client.timeout.page_load = SECONDS
    yield client
    try:
        client.cleanup()  # the session, Firefox, and its profile
    finally:
        # The profile's objects go now: left to the interpreter's exit, they would try to clean
        # up again when imports no longer work, and say so on stderr.
        client.instance = None
        gc.collect()


def page(client: Any, script: str, *args: Any) -> Any:
    """Run `script` in the page itself (its globals, its service worker)."""
    return client.execute_script(script, script_args=args, sandbox=None)


def page_async(client: Any, script: str) -> Any:
    """Run `script` in the page; it ends by calling `resolve(value)`."""
    return client.execute_async_script(
        f"const resolve = arguments[arguments.length - 1]; {script}", sandbox=None
    )


def shown_notifications(client: Any) -> list[dict[str, Any]]:
    """What the app's service worker registration is showing, as Notification objects."""
    return list(
        page_async(
            client,
            "navigator.serviceWorker.ready.then(r => r.getNotifications()).then(shown => "
            "resolve(shown.map(n => ({title: n.title, body: n.body, data: n.data}))), "
            "error => resolve(String(error)));",
        )
    )


def tap(client: Any, element: Any) -> None:
    """Click `element` in the middle of the screen (the app's tab bar covers the bottom)."""
    page(client, "arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def button(client: Any, label: str) -> Any:
    """The button with this text, once the page shows it."""
    path = f"//button[normalize-space()='{label}']"
    return eventually(lambda: client.find_elements(By.XPATH, path), f"a button {label!r}")[0]


def sign_in(client: Any, base_url: str, email: str) -> None:
    client.navigate(f"{base_url}/")
    eventually(lambda: client.find_elements(By.ID, "login-email"), "the sign-in form")
    client.find_element(By.ID, "login-email").send_keys(email)
    client.find_element(By.ID, "login-password").send_keys(DEMO_PASSWORD)
    client.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    eventually(
        lambda: page(
            client,
            "return performance.getEntriesByName('sync:initial:done').length > 0 && "
            "document.documentElement.dataset.sync === 'idle'",
        ),
        "the first sync after signing in",
        seconds=60,
    )


def tap_the_notification(client: Any) -> list[str]:
    """Click Firefox's own notification (headless, a small window of its own), as a tap would;
    the titles of those it showed."""
    with client.using_context(client.CONTEXT_CHROME):
        return list(
            client.execute_script(
                """
                const shown = [...Services.wm.getEnumerator("alert:alert")];
                for (const alert of shown) {
                  const text = alert.document.getElementById("alertTextLabel");
                  text.dispatchEvent(new alert.MouseEvent("click", {bubbles: true}));
                }
                return shown.map(
                  a => a.document.getElementById("alertTitleLabel").getAttribute("value"));
                """
            )
        )


def nudge_only(participant_id: uuid.UUID, slot: datetime) -> None:
    """Every other active participant was nudged about yesterday, so that the scheduler's run
    at `slot` has exactly one reminder to send: about `participant_id`, to its specialist."""
    others = db.session.scalars(
        select(Participant).where(
            Participant.status == "active",
            Participant.deleted_at.is_(None),
            Participant.id != participant_id,
        )
    ).all()
    yesterday = slot - timedelta(days=1)
    for other in others:
        db.session.add(
            Notification(
                user_id=other.specialist_id,
                kind="not_met_nudge",
                record_id=other.id,
                dedupe_key=f"not_met_nudge:{other.id}:earlier",
                not_before=yesterday,
                status="sent",
                created_at=yesterday,
                finished_at=yesterday,
            )
        )
    db.session.commit()


def job(name: str) -> Any:
    return next(job for job in JOBS if job.name == name)


def test_firefox_gets_a_reminder_from_the_scheduler_and_a_tap_opens_the_participant(
    app: Flask,
    demo: None,
    base_url: str,
    push_service: PushService,
    firefox: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A push service on this machine, as PUSH_ALLOW_HTTP_LOCALHOST=1 allows in development.
    monkeypatch.setitem(app.config, "PUSH_ALLOW_HTTP_LOCALHOST", True)
    client = firefox
    sign_in(client, base_url, "js1@demo.no")

    # Notifications on, in the menu.
    tap(client, client.find_element(By.CSS_SELECTOR, "a[href='#/settings']"))
    eventually(lambda: client.find_elements(By.XPATH, "//h2[@id='push-title']"), "the menu")
    tap(client, button(client, CATALOGUE["push.turnOn"]))
    eventually(
        lambda: client.find_elements(By.XPATH, f"//p[text()='{CATALOGUE['push.on']}']"),
        "notifications turned on",
    )
    channel = push_service.wait_for_channel(SECONDS)
    endpoint = push_service.origin + channel.path
    with app.app_context():
        js1 = db.session.scalar(select(User).where(User.email == "js1@demo.no"))
        stored = db.session.scalar(
            select(PushSubscription).where(PushSubscription.endpoint == endpoint)
        )
        assert stored is not None and stored.user_id == js1.id
        js1_id, firefox_target = js1.id, PushTarget.of(stored)
        vapid = app.extensions["vapid"]
    assert channel.key == vapid.public_key  # subscribed with the server's key

    # Another user's device, subscribed through the API like any browser.
    other = push_service.subscription()
    api = app.test_client()
    token = api.post(
        "/api/v1/auth/login", json={"email": "js2@demo.no", "password": DEMO_PASSWORD}
    ).json["access_token"]
    subscribed = api.post(
        "/api/v1/push/subscriptions",
        json=other.as_json(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert subscribed.status_code == 201, subscribed.json

    # A message encrypted for keys that are not the browser's: taken by the push service,
    # refused by Firefox, and never shown.
    stranger = BrowserSubscription(endpoint)
    with app.app_context():
        taken = deliver(
            PushTarget(uuid.uuid4(), endpoint, stranger.p256dh, stranger.auth, None),
            build_payload("test"),
        )
    assert taken.code == "delivered"
    [forged] = push_service.notices_at(endpoint)
    assert push_service.wait_for_answer(forged, SECONDS) == DECRYPTION_FAILED
    # ...and one signed with another server key is refused by the push service itself.
    with app.app_context():
        foreign = deliver(
            firefox_target,
            build_payload("test"),
            keys=load_vapid_keys({"TESTING": True}, tmp_path),
        )
    assert (foreign.status, foreign.code) == (401, "refused")
    assert push_service.notices_at(endpoint) == [forged]
    assert shown_notifications(client) == []

    # The scheduler: the morning job queues a reminder about one participant not met lately,
    # the dispatch job sends it. At noon (outside quiet hours), a month on, so that no
    # meeting of the demo data has been held in the fortnight before.
    noon = datetime.now(local_zone()).replace(hour=12, minute=0, second=0, microsecond=0)
    slot = noon + timedelta(days=30)
    with app.app_context():
        participant = db.session.scalars(
            select(Participant)
            .where(
                Participant.specialist_id == js1_id,
                Participant.status == "active",
                Participant.deleted_at.is_(None),
            )
            .order_by(Participant.last_name, Participant.first_name)
        ).first()
        assert participant is not None
        participant_id = participant.id
        name = f"{participant.first_name} {participant.last_name}"
        nudge_only(participant_id, slot)
        queued = run_job(job("not_met_nudges"), slot)
        sent = run_job(job("notification_dispatch"), slot)
        db.session.remove()
    assert (queued.outcome, queued.detail) == ("ok", "queued 1 of 1 nudges"), queued
    assert (sent.outcome, sent.detail) == ("ok", "sent 1, failed 0, skipped 0, deferred 0"), sent
    [_, reminder] = push_service.notices_at(endpoint)
    assert push_service.wait_for_answer(reminder, SECONDS) == DELIVERED
    shown = eventually(lambda: shown_notifications(client), "the reminder shown")
    assert shown == [
        {
            "title": "Feltlogg",
            "body": BODIES["not_met_nudge"],
            "data": {"kind": "not_met_nudge", "id": str(participant_id)},
        }
    ]
    # The other user's device got nothing: not a message, not an attempt.
    assert push_service.attempts_at(other) == []

    # A tap on it opens that participant.
    client.navigate(f"{base_url}/#/today")
    assert tap_the_notification(client) == ["Feltlogg"]
    eventually(
        lambda: client.get_url().endswith(f"#/participants/{participant_id}"),
        "the participant's screen",
    )
    eventually(
        lambda: page(client, "return document.querySelector('h1')?.textContent") == name,
        f"the heading {name!r}",
    )
    assert eventually(lambda: shown_notifications(client) == [], "the tapped notification gone")
