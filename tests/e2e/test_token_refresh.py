"""The page and the service worker refresh the tokens at the same moment, twenty times, in a real
Chromium against the API on the test database, and the specialist stays signed in.

A refresh token works once: were the page and Background Sync both to present the same one, the
server would take it for a stolen token and end the sign-in on every device. The app takes a Web
Lock around the refresh and re-reads the stored tokens inside it, so the server sees exactly one
refresh per round, and never a refresh token twice.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask_jwt_extended import create_access_token, decode_token
from playwright.sync_api import Page
from sqlalchemy import func, select

from api.accounts.models import User
from api.activity.models import EmployerContact
from api.auth.models import TokenFamily
from api.common.model import new_id
from api.employers.models import Employer
from api.extensions import db
from tests.e2e.conftest import sign_in, wait_synced

ROUNDS = 20
SYNC_TAG = "feltlogg-outbox"

# Reads and writes the app's IndexedDB ("feltlogg") as another context would: the page's Dexie
# reads the meta rows afresh at every use, and the service worker opens the same database.
IDB_OPEN = """
const open = () => new Promise((resolve, reject) => {
  const request = indexedDB.open("feltlogg");
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
const done = (tx) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onerror = () => reject(tx.error);
  tx.onabort = () => reject(tx.error);
});
"""

READ_META = (
    "async (key) => {"
    + IDB_OPEN
    + """
  const idb = await open();
  const tx = idb.transaction("meta", "readonly");
  const row = await new Promise((resolve, reject) => {
    const request = tx.objectStore("meta").get(key);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  idb.close();
  return row === undefined ? null : row.value;
}"""
)

OUTBOX_SIZE = (
    "async () => {"
    + IDB_OPEN
    + """
  const idb = await open();
  const tx = idb.transaction("outbox", "readonly");
  const count = await new Promise((resolve, reject) => {
    const request = tx.objectStore("outbox").count();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  idb.close();
  return count;
}"""
)

# The access token is due (and the server refuses it), and a change waits in the outbox, so
# that the service worker's push needs a refresh too.
MAKE_DUE = (
    "async ({accessToken, entry}) => {"
    + IDB_OPEN
    + """
  const idb = await open();
  const tx = idb.transaction(["meta", "outbox"], "readwrite");
  const meta = tx.objectStore("meta");
  meta.put({key: "access_token", value: accessToken});
  meta.put({key: "access_expires_at", value: Date.now() - 60_000});
  tx.objectStore("outbox").add(entry);
  await done(tx);
  idb.close();
}"""
)

# The page's sync loop syncs when the network comes back ("online"), after `delay` ms.
PAGE_SYNC_AFTER = """(delay) => {
  setTimeout(() => window.dispatchEvent(new Event("online")), delay);
}"""


@pytest.fixture
def refreshes(app: Flask) -> Iterator[list[float]]:
    """Every POST /api/v1/auth/refresh that reached the server, as it arrived."""
    seen: list[float] = []
    inner = app.wsgi_app

    def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == (
            "/api/v1/auth/refresh"
        ):
            seen.append(time.monotonic())
        return inner(environ, start_response)

    app.wsgi_app = counting  # type: ignore[method-assign]
    yield seen
    app.wsgi_app = inner  # type: ignore[method-assign]


def _scalar(app: Flask, statement: Any) -> Any:
    with app.app_context():
        try:
            return db.session.execute(statement).scalar_one()
        finally:
            db.session.remove()


def _families(app: Flask, user_id: uuid.UUID) -> list[tuple[datetime | None, str | None]]:
    with app.app_context():
        try:
            rows = db.session.execute(
                select(TokenFamily.revoked_at, TokenFamily.revoked_reason).where(
                    TokenFamily.user_id == user_id
                )
            ).all()
            return [(row[0], row[1]) for row in rows]
        finally:
            db.session.remove()


def _expired_like(app: Flask, access_token: str) -> str:
    """An access token of the same sign-in that ran out a minute ago: the server answers 401
    token_expired, as to a phone that slept through its 15 minutes."""
    with app.app_context():
        claims = decode_token(access_token, allow_expired=True)
        return create_access_token(
            claims["sub"],
            additional_claims={k: claims[k] for k in ("role", "team_id", "fam")},
            expires_delta=timedelta(minutes=-1),
        )


def _registration_id(page: Page, cdp: Any) -> str:
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):
        live = [r for r in registrations if not r["isDeleted"]]
        if live:
            return str(live[-1]["registrationId"])
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration reported: {registrations}")


def _until(page: Page, check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(50)


def _sync_marks(page: Page) -> int:
    return int(page.evaluate("() => performance.getEntriesByName('sync:done').length"))


def test_the_page_and_the_service_worker_refreshing_at_once_never_end_the_sign_in(
    app, demo, new_context, base_url, refreshes
):
    js1 = _scalar(app, select(User.id).where(User.email == "js1@demo.no"))
    employer = _scalar(app, select(Employer.id).order_by(Employer.name).limit(1))
    context = new_context()
    page = context.new_page()
    sign_in(page, "js1@demo.no")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("navigator.serviceWorker.controller !== null"):
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wait_synced(page)
    cdp = context.new_cdp_session(page)
    registration = _registration_id(page, cdp)
    contacts = _scalar(app, select(func.count()).select_from(EmployerContact))
    assert _families(app, js1) == [(None, None)]

    for round_ in range(ROUNDS):
        refreshes_before = len(refreshes)
        marks_before = _sync_marks(page)
        contact_id = str(new_id())
        page.evaluate(
            MAKE_DUE,
            {
                "accessToken": _expired_like(app, page.evaluate(READ_META, "access_token")),
                "entry": {
                    "mutation_id": str(new_id()),
                    "entity": "employer_contacts",
                    "op": "upsert",
                    "id": contact_id,
                    "base_version": None,
                    "data": {
                        "employer_id": str(employer),
                        "participant_id": None,
                        "specialist_id": str(js1),
                        "contacted_at": datetime.now(UTC).isoformat(),
                        "mode": "phone",
                        "purpose": None,
                        "notes": None,
                    },
                    "state": "pending",
                    "sent": False,
                    "created_at": datetime.now(UTC).isoformat(),
                },
            },
        )
        # Both at the same moment: the page's sync (its tokens are due) and Background Sync in
        # the service worker (its push is answered 401). The page starts 0-45 ms after the
        # service worker is told, so that over the rounds their refreshes overlap every way.
        page.evaluate(PAGE_SYNC_AFTER, (round_ % 4) * 15)
        cdp.send(
            "ServiceWorker.dispatchSyncEvent",
            {
                "origin": base_url.rstrip("/"),
                "registrationId": registration,
                "tag": SYNC_TAG,
                "lastChance": False,
            },
        )
        _until(
            page,
            lambda before=marks_before: (
                _sync_marks(page) > before
                or page.evaluate("document.documentElement.dataset.sync") == "error"
            ),
            f"round {round_}: the page's sync",
        )
        _until(page, lambda: page.evaluate(OUTBOX_SIZE) == 0, f"round {round_}: the push")
        page.wait_for_timeout(300)  # a refresh still on its way would be counted now

        assert page.evaluate(READ_META, "needs_login") is None, f"round {round_}: signed out"
        assert _families(app, js1) == [(None, None)], f"round {round_}: the server ended it"
        assert len(refreshes) - refreshes_before == 1, (
            f"round {round_}: {len(refreshes) - refreshes_before} refreshes reached the server"
        )
        assert (
            _scalar(
                app,
                select(func.count())
                .select_from(EmployerContact)
                .where(EmployerContact.id == uuid.UUID(contact_id)),
            )
            == 1
        )

        # A later sync goes through with the tokens the round left.
        marks_before = _sync_marks(page)
        page.evaluate(PAGE_SYNC_AFTER, 0)
        _until(
            page,
            lambda before=marks_before: _sync_marks(page) > before,
            f"round {round_}: a later sync",
        )
        wait_synced(page)

    assert _scalar(app, select(func.count()).select_from(EmployerContact)) == contacts + ROUNDS
    assert len(refreshes) == ROUNDS
