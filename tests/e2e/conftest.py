"""End-to-end fixtures: the built field app served by Flask on the test database, in a real
Chromium (the distribution's package, /usr/bin/chromium, or CHROMIUM_PATH) driven by
Playwright. Nothing here is skipped: without the browser or the built app the tests fail and
say what is missing."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from werkzeug.serving import make_server

from api import PWA_DIST
from api.demo import seed_demo
from api.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEMO_PASSWORD = "demo1234"


@pytest.fixture(scope="session")
def base_url(app: Flask) -> Iterator[str]:
    assert (PWA_DIST / "index.html").exists(), "the app is not built: run `make pwa` first"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}"
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture
def demo(app: Flask) -> None:
    """The demo team (logins js1, js2, leder, deltaker1, admin @demo.no, password demo1234)."""
    with app.app_context():
        seed_demo()
        db.session.commit()
        db.session.remove()


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[Any]:
    """Phone-sized browser contexts of their own (separate storage, like separate phones).
    The app must work under its Content-Security-Policy: anything the browser refuses for it
    fails the test."""
    contexts: list[BrowserContext] = []
    refused: list[str] = []

    def watch(page: Page) -> None:
        page.on(
            "console",
            lambda message: (
                refused.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    def make() -> BrowserContext:
        context = browser.new_context(
            base_url=base_url, viewport=PHONE, locale="nb-NO", timezone_id="Europe/Oslo"
        )
        context.set_default_timeout(15_000)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def sign_in(page: Page, email: str) -> None:
    """Open the app, sign in, and wait until the first full sync is written."""
    page.goto("/")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    # Predicates are functions: Playwright compiles them once, which the app's CSP (no eval)
    # allows; a bare expression would be evaluated on every poll and refused.
    page.wait_for_function(
        "() => performance.getEntriesByName('sync:initial:done').length > 0", timeout=30_000
    )
    wait_synced(page)


def wait_synced(page: Page) -> None:
    """Until the outbox is empty and the app is idle (contract.md, observable app state)."""
    try:
        page.wait_for_function(
            "() => document.documentElement.dataset.sync === 'idle' && "
            "document.documentElement.dataset.pending === '0'",
            timeout=60_000,  # a hung request times out after 20 s and is tried again
            polling=250,  # not on animation frames: a page in the background gets none
        )
    except PlaywrightTimeoutError:
        state = page.evaluate(
            "fetch('/healthz').then(r => r.status, e => String(e)).then(health => "
            "({...document.documentElement.dataset, online: navigator.onLine, health, "
            "controlled: navigator.serviceWorker.controller !== null, now: performance.now(), "
            "syncs: performance.getEntriesByName('sync:done').map(m => Math.round(m.startTime))}))"
        )
        raise AssertionError(f"the app did not finish syncing: {state}") from None


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
