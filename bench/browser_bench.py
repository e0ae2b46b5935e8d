"""The field app's sync in a real browser, against the browser's own floor in the same run.

Run with `make bench-browser` (or `.venv/bin/python bench/browser_bench.py`; `make pwa` first).
It creates a private database on BENCH_DATABASE_URL's server (default:
postgresql://postgres:postgres@127.0.0.1:5432/postgres), fills one specialist's caseload with
`bench/sync_bench.py`'s helper, starts gunicorn on it (`bench/load/server.py`) and drives the
built app (pwa/dist) in the distribution's Chromium (/usr/bin/chromium, or CHROMIUM_PATH)
through Playwright. All traffic goes to 127.0.0.1.

Measured, each several times, alternating with its floor (medians):

- the app's initial sync after sign-in: from the app's `sync:start` mark to its
  `sync:initial:done` mark; floor: one fetch of the same records as one JSON array (served
  uncompressed by a plain HTTP server in this process) and a Dexie bulkPut per table, in one
  transaction, in a page of the same origin;
- a sync that pushes 500 new employer contacts, with the caseload in place (steady state), from
  `sync:start` to `sync:done`; the contacts are put into the app's outbox as the app puts them
  (the IndexedDB outbox store), then "Synkroniser nå" is pressed; floor: read 500 entries from a
  Dexie outbox table, POST them as one array to /api/v1/sync/push, clear the table;
- a sync with nothing new, from `sync:start` to `sync:done`; floor: one pull from the current
  cursor (an empty answer).

Also, for the record of where the initial sync's time goes: the pull pages alone (fetched one
after the other at the app's page size, parsed, not written). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import select, text

from api import PWA_DIST, create_app
from api.employers.models import Employer
from api.extensions import db
from api.teams.service import create_team, create_user
from bench.load.server import Gunicorn, gunicorn
from bench.sync_bench import SCOPE, _fill
from tests.pgtemp import private_postgres_database

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
DEXIE = ROOT / "pwa" / "node_modules" / "dexie" / "dist" / "dexie.min.js"
EMAIL = "spesialist@benk.no"
PASSWORD = "blåbær på toppen av fjellet"
PHONE = {"width": 360, "height": 740}
PAGE_SIZE = 1000  # the app's page size (pwa/src/sync.ts, PAGE_SIZE)
PUSHED = 500

# The app's tables and indexes (pwa/src/db.ts, its newest version), for the floor's database.
STORES = {
    "employers": "id",
    "participants": "id",
    "consents": "id, participant_id",
    "career_profiles": "id, participant_id",
    "plan_goals": "id, participant_id",
    "meetings": "id, participant_id",
    "plan_steps": "id, participant_id",
    "employer_contacts": "id, employer_id, participant_id",
    "team_meetings": "id",
    "job_matches": "id, participant_id, employer_id",
    "week_reviews": "id",
    "conflicts": "id",
}

# In the app's page: the time from the first `sync:start` after t0 to the first `mark` after it.
SYNC_TIME = """([t0, mark]) => {
  const start = performance.getEntriesByName('sync:start').find((m) => m.startTime >= t0);
  const done = performance.getEntriesByName(mark).find((m) => m.startTime >= start.startTime);
  return done.startTime - start.startTime;
}"""

# In the app's page: records in the app's synced tables (IndexedDB, without Dexie).
STORED_RECORDS = """async (stores) => {
  const idb = await new Promise((resolve, reject) => {
    const request = indexedDB.open('feltlogg');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const tx = idb.transaction(stores, 'readonly');
  const counts = await Promise.all(stores.map((name) => new Promise((resolve, reject) => {
    const request = tx.objectStore(name).count();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  })));
  idb.close();
  return counts.reduce((a, b) => a + b, 0);
}"""

# In the app's page: entries into the app's outbox store, as pwa/src/outbox.ts writes them.
FILL_OUTBOX = """async (entries) => {
  const idb = await new Promise((resolve, reject) => {
    const request = indexedDB.open('feltlogg');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const tx = idb.transaction('outbox', 'readwrite');
    for (const entry of entries) tx.objectStore('outbox').add(entry);
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  idb.close();
}"""

FLOOR_INITIAL = """async ({url, stores}) => {
  await Dexie.delete('floor');
  const fdb = new Dexie('floor');
  fdb.version(1).stores(stores);
  await fdb.open();
  const t0 = performance.now();
  const changes = await (await fetch(url)).json();
  const byTable = new Map();
  for (const change of changes) {
    let rows = byTable.get(change.entity);
    if (!rows) byTable.set(change.entity, (rows = []));
    rows.push({...change.data, id: change.id, version: change.version});
  }
  const tables = [...byTable.keys()].map((name) => fdb.table(name));
  await fdb.transaction('rw', tables, async () => {
    for (const [name, rows] of byTable) await fdb.table(name).bulkPut(rows);
  });
  const ms = performance.now() - t0;
  const counts = await Promise.all(tables.map((t) => t.count()));
  fdb.close();
  await Dexie.delete('floor');
  return {ms, records: counts.reduce((a, b) => a + b, 0)};
}"""

FLOOR_PUSH = """async ({entries, token, clientId}) => {
  await Dexie.delete('floor-outbox');
  const fdb = new Dexie('floor-outbox');
  fdb.version(1).stores({outbox: '++seq'});
  await fdb.open();
  await fdb.outbox.bulkAdd(entries);
  const t0 = performance.now();
  const rows = await fdb.outbox.toArray();
  const mutations = rows.map((e) => ({mutation_id: e.mutation_id, entity: e.entity, op: e.op,
    id: e.id, base_version: e.base_version, data: e.data}));
  const response = await fetch('/api/v1/sync/push', {method: 'POST',
    headers: {'Content-Type': 'application/json', Authorization: 'Bearer ' + token},
    body: JSON.stringify({client_id: clientId, schema_version: 1, mutations})});
  const answer = await response.json();
  await fdb.outbox.clear();
  const ms = performance.now() - t0;
  fdb.close();
  await Dexie.delete('floor-outbox');
  return {ms, applied: answer.results.filter((r) => r.status === 'applied').length};
}"""

# Pull pages one after the other from `cursor` (none: everything), parsed and not written.
PULL_PAGES = """async ({token, cursor, limit}) => {
  const t0 = performance.now();
  let changes = 0, requests = 0;
  for (;;) {
    const query = new URLSearchParams({limit: String(limit), schema_version: '1'});
    if (cursor) query.set('cursor', cursor);
    const response = await fetch('/api/v1/sync/pull?' + query,
      {headers: {Authorization: 'Bearer ' + token}});
    const page = await response.json();
    requests++;
    changes += page.changes.length;
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  return {ms: performance.now() - t0, changes, requests, cursor};
}"""


def _fill_database(url: str) -> list[str]:
    """Migrations, the specialist, the caseload; returns the employer ids."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "c" * 40})
    with app.app_context():
        upgrade()
        team = create_team("Nettleserbenk")
        user = create_user(
            {
                "email": EMAIL,
                "name": "Nettleserbenk",
                "role": "specialist",
                "team_id": team.id,
                "password": PASSWORD,
            }
        )
        db.session.commit()
        _fill(team.id, user.id)
        employer_ids = [str(i) for i in db.session.scalars(select(Employer.id))]
        db.session.remove()
        db.engine.dispose()
    return employer_ids


def _postgres_version(url: str) -> str:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "c" * 40})
    with app.app_context():
        version = str(db.session.scalar(text("SHOW server_version")))
        db.session.remove()
        db.engine.dispose()
    return version


def _request(url: str, body: object | None = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=60) as r:
        return json.loads(r.read())


def _all_changes(base: str, token: str) -> list[dict[str, Any]]:
    """Everything the user may see, as the pull gives it (pages of 2000)."""
    changes: list[dict[str, Any]] = []
    cursor = ""
    while True:
        query = f"limit=2000&schema_version=1{f'&cursor={cursor}' if cursor else ''}"
        page = _request(f"{base}/api/v1/sync/pull?{query}", token=token)
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes


@contextlib.contextmanager
def _static_json(body: bytes) -> Iterator[str]:
    """A plain HTTP server on 127.0.0.1 that answers every GET with `body` (JSON, no
    compression, readable from any origin); yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/records.json"
    finally:
        server.shutdown()
        server.server_close()


def _contacts(employer_ids: list[str], offset: int) -> list[dict[str, Any]]:
    """PUSHED new employer contacts as outbox entries (pwa/src/db.ts, OutboxEntry), made over
    the last two weeks (a backlog logged offline; the server takes contacts up to 14 days old),
    so that the Today screen the phone shows does not list hundreds of contacts made today."""
    now = datetime.now(UTC)
    return [
        {
            "mutation_id": str(uuid.uuid4()),
            "entity": "employer_contacts",
            "op": "upsert",
            "id": str(uuid.uuid4()),
            "base_version": None,
            "data": {
                "employer_id": employer_ids[(offset + n) % len(employer_ids)],
                "contacted_at": (now - timedelta(days=1, minutes=34 * n)).isoformat(),
                "mode": "in_person",
                "purpose": "Presentere deltaker",
            },
            "state": "pending",
            "sent": False,
            "created_at": now.isoformat(),
        }
        for n in range(PUSHED)
    ]


def _app_context(browser: Browser, base: str) -> BrowserContext:
    context = browser.new_context(
        base_url=base, viewport=PHONE, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    context.set_default_timeout(120_000)
    return context


def _wait_idle(page: Page) -> None:
    """Until the app is idle with an empty outbox (contract.md, observable app state)."""
    page.wait_for_function("() => document.documentElement.dataset.sync === 'idle'", polling=50)
    state = page.evaluate("() => ({...document.documentElement.dataset})")
    assert state.get("pending") == "0", f"the app is idle with changes left: {state}"


def _sign_in(page: Page) -> float:
    """Open the app, wait for its service worker, sign in; the initial sync's time (ms)."""
    page.goto("/")
    page.evaluate(
        "() => Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((resolve) => setTimeout(() => resolve(false), 15000))])"
    )
    t0 = page.evaluate("() => performance.now()")
    page.get_by_label("E-post").fill(EMAIL)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_function(
        "() => performance.getEntriesByName('sync:initial:done').length > 0", polling=50
    )
    _wait_idle(page)
    return float(page.evaluate(SYNC_TIME, [t0, "sync:initial:done"]))


# In the app's page: press "Synkroniser nå" in the status bar (the button's own click handler)
# and wait for the sync it starts; the time just before the press. Pressed from the page, as
# the floor's work runs in its page: Playwright's own click does its checks (visible, stable,
# the target under the pointer) with scripts in the page while the sync has begun, and that
# added about 10 ms to a sync of 15.
PRESS_SYNC_NOW = """async () => {
  const button = [...document.querySelectorAll('header button')]
    .find((b) => b.textContent.trim() === 'Synkroniser nå');
  if (!button) throw new Error('no "Synkroniser nå" button in the status bar');
  const t0 = performance.now();
  // The sync this press starts (one already running finishes first, and then it runs).
  const done = new Promise((resolve) => {
    let started = null;
    new PerformanceObserver((list, observer) => {
      for (const mark of list.getEntries()) {
        if (mark.name === 'sync:start' && started === null && mark.startTime >= t0) started = mark;
        if (mark.name === 'sync:done' && started !== null && mark.startTime >= started.startTime) {
          observer.disconnect();
          resolve();
        }
      }
    }).observe({ type: 'mark' });
  });
  button.click();
  await done;
  return t0;
}"""


def _sync_now(page: Page) -> float:
    """Press "Synkroniser nå" in the status bar and wait for that sync; its time (ms) by the
    app's marks."""
    _wait_idle(page)
    expect(page.get_by_role("banner").get_by_role("button", name="Synkroniser nå")).to_be_enabled()
    t0 = page.evaluate(PRESS_SYNC_NOW)
    _wait_idle(page)
    return float(page.evaluate(SYNC_TIME, [t0, "sync:done"]))


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f} to {max(values):.0f})"


def _alternate(
    repeat: int, app: Callable[[], float], floor: Callable[[], float]
) -> tuple[list[float], list[float]]:
    apps, floors = [], []
    for _ in range(repeat):
        apps.append(app())
        floors.append(floor())
    return apps, floors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each measurement")
    args = parser.parse_args()
    assert (PWA_DIST / "index.html").exists(), "the app is not built: run `make pwa` first"
    assert Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}"
    assert DEXIE.exists(), "pwa/node_modules is missing: run `make pwa` first"
    server_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    )
    with (
        private_postgres_database(server_url) as url,
        tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp,
    ):
        employer_ids = _fill_database(url)
        pg_version = _postgres_version(url)
        with gunicorn(url, Path(tmp) / "gunicorn.log") as server:
            run(server, employer_ids, args.repeat, pg_version)


def run(server: Gunicorn, employer_ids: list[str], repeat: int, pg_version: str) -> None:
    base = server.url
    token = _request(f"{base}/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})[
        "access_token"
    ]
    changes = _all_changes(base, token)
    records = len(changes)
    print(f"caseload: {records} records ({', '.join(f'{k} {v}' for k, v in SCOPE.items())},")
    print(f"  and a consent per participant); server {base}, {len(server.workers())} workers")
    with _static_json(json.dumps(changes).encode()) as records_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        floor_context = browser.new_context(base_url=base, bypass_csp=True)
        floor = floor_context.new_page()
        floor.goto("/healthz")
        floor.add_script_tag(path=str(DEXIE))

        # (a) the initial sync, each time on a new "phone" (a context of its own).
        app_contexts: list[BrowserContext] = []

        def initial() -> float:
            context = _app_context(browser, base)
            app_contexts.append(context)
            page = context.new_page()
            ms = _sign_in(page)
            stored = page.evaluate(STORED_RECORDS, list(STORES))
            assert stored == records, f"the app stored {stored} of {records} records"
            if len(app_contexts) > 1:
                app_contexts.pop(0).close()
            return ms

        def initial_floor() -> float:
            result = floor.evaluate(FLOOR_INITIAL, {"url": records_url, "stores": STORES})
            assert result["records"] == records, result
            return float(result["ms"])

        def pages_only() -> float:
            result = floor.evaluate(
                PULL_PAGES, {"token": token, "cursor": None, "limit": PAGE_SIZE}
            )
            assert result["changes"] == records, result
            return float(result["ms"])

        initial_app, initial_floors = _alternate(repeat, initial, initial_floor)
        pulls = [pages_only() for _ in range(repeat)]

        # (b) push 500 new contacts, steady state, on the last signed-in phone.
        app = app_contexts[-1].pages[0]
        pushed = [0]

        def push() -> float:
            _sync_now(app)  # brings what the floor pushed before; not measured
            app.evaluate(FILL_OUTBOX, _contacts(employer_ids, pushed[0]))
            pushed[0] += PUSHED
            ms = _sync_now(app)
            assert app.evaluate("() => document.documentElement.dataset.pending") == "0"
            return ms

        client_id = str(uuid.uuid4())

        def push_floor() -> float:
            entries = _contacts(employer_ids, pushed[0])
            pushed[0] += PUSHED
            result = floor.evaluate(
                FLOOR_PUSH, {"entries": entries, "token": token, "clientId": client_id}
            )
            assert result["applied"] == PUSHED, result
            return float(result["ms"])

        push_app, push_floors = _alternate(repeat, push, push_floor)

        # (c) nothing new: the phone has synced everything (the floor's pushes too) just before.
        cursor: list[str | None] = [None]

        def nothing_new() -> float:
            _sync_now(app)  # brings what the floor pushed; not measured
            return _sync_now(app)

        def nothing_new_floor() -> float:
            caught_up = floor.evaluate(
                PULL_PAGES, {"token": token, "cursor": cursor[0], "limit": 2000}
            )
            cursor[0] = caught_up["cursor"]
            result = floor.evaluate(PULL_PAGES, {"token": token, "cursor": cursor[0], "limit": 1})
            assert result["changes"] == 0 and result["requests"] == 1, result
            return float(result["ms"])

        empty_app, empty_floors = _alternate(repeat, nothing_new, nothing_new_floor)
        total = app.evaluate(STORED_RECORDS, list(STORES))
        version = browser.version
        browser.close()

    rows = [
        (f"initial sync, {records:,} records", initial_app, initial_floors),
        (f"push of {PUSHED} new contacts, steady state", push_app, push_floors),
        ("sync with nothing new", empty_app, empty_floors),
    ]
    print()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.system()} {platform.release()}; "
        f"Chromium {version} headless; PostgreSQL {pg_version}; Python {platform.python_version()}"
    )
    print(
        f"median of {repeat} runs (fastest to slowest), ms; "
        f"the phone held {total:,} records at the end"
    )
    print()
    print("| measurement | app | floor | app / floor |")
    print("|---|---:|---:|---:|")
    for name, apps, floors in rows:
        ratio = statistics.median(apps) / statistics.median(floors)
        print(f"| {name} | {_median(apps)} | {_median(floors)} | {ratio:.1f}x |")
    print()
    print(
        f"pull pages alone (pages of {PAGE_SIZE} fetched one after the other and parsed, "
        f"not written): {_median(pulls)} ms"
    )


if __name__ == "__main__":
    main()
