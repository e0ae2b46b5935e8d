"""What each request kind of the load test costs in CPU, one request at a time.

    .venv/bin/python bench/load/costs.py [--scale 1.0] [--runs 100]

Uses the load test's template database (bench/load/run.py makes it if missing) through a copy,
and gunicorn with one worker of one thread. Each kind is sent `runs` times in a row (after a
few unmeasured ones); the table gives the median time, and the CPU seconds per request that
the gunicorn worker and the PostgreSQL backend spent (from /proc, so it holds on a busy machine
better than time does). Two cores divided by the CPU a request takes bounds what the machine
can serve of it: the ceiling column.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from sqlalchemy import text

from bench.faults.harness import Specialist, call, login, new_batch
from bench.load.run import _admin, _identities, _iso_week, _template, _url, log
from bench.load.server import backend_cpu_seconds, gunicorn, tree_cpu_seconds


def _pull_all(port: int, token: str, cursor: str | None = None) -> str:
    while True:
        path = "/api/v1/sync/pull?limit=500" + (f"&cursor={cursor}" if cursor else "")
        status, body = call(port, "GET", path, token=token)
        assert status == 200, body
        cursor = body["cursor"]
        if not body["has_more"]:
            return str(cursor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=float(os.environ.get("BENCH_LOAD_SCALE") or 1.0)
    )
    parser.add_argument("--runs", type=int, default=100, help="requests per light kind")
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    admin = _admin(server)
    template = _template(admin, server, args.scale)
    database = f"feltlogg_load_costs_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
    url = _url(server, database)
    try:
        users = {"OfflinePush": 2, "InterleavedPush": 0, "MorningRush": 1, "Baseline": 0}
        identities, _ = _identities(url, users)
        rows = _measure(url, database, identities, args.runs)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    cores = os.cpu_count() or 1
    print(f"CPU per request, one at a time (gunicorn 1 worker x 1 thread), {cores} cores:")
    print()
    print(
        "| request | median (ms) | gunicorn CPU (ms) | PostgreSQL CPU (ms) | ceiling on "
        f"{cores} cores (/s) |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, median, app_cpu, db_cpu in rows:
        print(
            f"| {name} | {median:.1f} | {app_cpu:.1f} | {db_cpu:.1f} "
            f"| {cores * 1000 / (app_cpu + db_cpu):.0f} |"
        )
    return 0


def _measure(
    url: str, database: str, identities: dict[str, list[dict[str, Any]]], runs: int
) -> list[tuple[str, float, float, float]]:
    pusher = identities["push"][0]
    other = identities["push"][1]
    me = Specialist(pusher["email"], pusher["employers"], pusher["participants"])
    colleague = Specialist(other["email"], other["employers"], other["participants"])
    supervisor = identities["supervisor"][0]["email"]
    day = datetime.now(ZoneInfo("Europe/Oslo")).date()
    monday = day - timedelta(days=day.weekday())
    sunday = monday - timedelta(days=1)
    weekly = (
        f"/api/v1/reports/weekly?from={_iso_week(monday - timedelta(weeks=11))}"
        f"&to={_iso_week(monday)}"
    )
    fidelity = f"/api/v1/reports/fidelity?from={sunday - timedelta(weeks=13, days=-1)}&to={sunday}"
    results = []
    log_path = Path(tempfile.mkdtemp(prefix="feltlogg-costs-")) / "gunicorn.log"
    with gunicorn(url, log_path, workers=1, threads=1) as app:
        port = app.port
        token = login(port, me.email)
        colleague_token = login(port, colleague.email)
        boss = login(port, supervisor)
        cursor = _pull_all(port, token)

        def measure(name: str, action: Callable[[], Any], n: int) -> None:
            for _ in range(3):
                action()
            app_before = tree_cpu_seconds(app.pid)
            db_before = backend_cpu_seconds(database)
            times = []
            for _ in range(n):
                started = time.perf_counter()
                action()
                times.append((time.perf_counter() - started) * 1000)
            app_cpu = (tree_cpu_seconds(app.pid) - app_before) / n * 1000
            db_after = backend_cpu_seconds(database)
            db_cpu = sum(v - db_before.get(pid, 0.0) for pid, v in db_after.items()) / n * 1000
            results.append((name, statistics.median(times), app_cpu, db_cpu))
            log(f"{name}: {statistics.median(times):.1f} ms")

        def get(path: str, who: str) -> Callable[[], Any]:
            def action() -> None:
                status, body = call(port, "GET", path, token=who)
                assert status == 200, body

            return action

        def push(grouped: bool) -> Callable[[], Any]:
            def action() -> None:
                body = {
                    "client_id": str(uuid.uuid4()),
                    "schema_version": 1,
                    "mutations": new_batch(me, 200, grouped=grouped),
                }
                status, answer = call(port, "POST", "/api/v1/sync/push", body, token)
                assert status == 200, answer
                assert all(r["status"] == "applied" for r in answer["results"]), answer

            return action

        measure("healthz (no sign-in)", lambda: call(port, "GET", "/healthz"), runs)
        measure("auth/me", get("/api/v1/auth/me", token), runs)
        incremental = f"/api/v1/sync/pull?limit=500&cursor={cursor}"
        measure("incremental pull, nothing committed since", get(incremental, token), runs)
        # Someone else commits: the high-water mark moves past the cursor, nothing is new for
        # this user. This is the usual case on a national server, where someone always writes.
        status, _ = call(
            port,
            "POST",
            "/api/v1/sync/push",
            {
                "client_id": str(uuid.uuid4()),
                "schema_version": 1,
                "mutations": new_batch(colleague, 2),
            },
            colleague_token,
        )
        assert status == 200
        measure("incremental pull, others committed since", get(incremental, token), runs)
        measure("initial pull, first page of 500", get("/api/v1/sync/pull?limit=500", token), 20)
        measure("report: weekly, 12 weeks", get(weekly, boss), 20)
        measure("report: fidelity, 13 weeks", get(fidelity, boss), 20)
        measure("push of 200 new records", push(True), 10)
        measure("push of 200, entities interleaved", push(False), 3)
    return results


if __name__ == "__main__":
    sys.exit(main())
