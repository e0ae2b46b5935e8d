"""Fault: the database restarts while a phone pushes.

A client pushes batches of 200 new employer contacts and meetings in a loop through gunicorn,
retrying every failed request with the same client id and mutation ids (as the app does). While
a push is in flight, the script restarts the private PostgreSQL cluster with `pg_ctl restart`,
`-m fast` (connections closed, transactions rolled back) or `-m immediate` (no clean shutdown,
crash recovery at start): either at a random point of the request, or the moment the batch's
rows are visible (after its commit, while the answer is being made). Pushes fail (500) until the
database is back, and are sent again. At the end every mutation must have been applied exactly
once: its record exists once, its id is in the push idempotency table (sync_mutations) once,
and no other row appeared.

    .venv/bin/python bench/faults/db_restart.py

Exits 0 on pass, 1 with the reason on fail.
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.faults.harness import (
    CheckFailedError,
    PushLog,
    check_exactly_once,
    engine_for,
    fill,
    log,
    login,
    main_wrapper,
    new_batch,
    private_cluster,
    push_until_acknowledged,
    row_counts,
    wait_for_commit,
)
from bench.load.server import gunicorn

BATCHES = 25
# (pg_ctl stop mode, when)
RESTARTS = (
    ("fast", "at a random point"),
    ("immediate", "after the commit"),
    ("immediate", "at a random point"),
    ("fast", "after the commit"),
)
DEADLINE = 300  # seconds for the whole push stream


def run() -> str:
    rng = random.Random(11)
    with private_cluster() as cluster:
        log(f"private PostgreSQL on port {cluster.port}; filling")
        who = fill(cluster.url)[0]
        baseline = row_counts(cluster.url)
        server_log = Path(tempfile.mkdtemp(prefix="feltlogg-faults-")) / "gunicorn.log"
        with gunicorn(cluster.url, server_log, workers=2, threads=4) as app:
            token = login(app.port, who.email)
            push_log = PushLog()
            in_flight = threading.Event()
            done = threading.Event()
            acknowledged = [0]
            errors: list[BaseException] = []
            deadline = time.monotonic() + DEADLINE

            def pusher() -> None:
                try:
                    for _ in range(BATCHES):
                        batch = new_batch(who, 200, rng)

                        def mark(attempt: int) -> None:
                            in_flight.set()

                        push_until_acknowledged(
                            app.port, token, push_log, batch, deadline, before_attempt=mark
                        )
                        in_flight.clear()
                        acknowledged[0] += 1
                except BaseException as error:  # reported by the main thread
                    errors.append(error)
                finally:
                    done.set()

            thread = threading.Thread(target=pusher, daemon=True)
            thread.start()
            for number, (mode, when) in enumerate(RESTARTS, start=1):
                # Spread the restarts over the stream; each one lands inside a push.
                target = number * BATCHES // (len(RESTARTS) + 1)
                while acknowledged[0] < target and not done.is_set():
                    time.sleep(0.01)
                in_flight.clear()
                if not in_flight.wait(timeout=30) or done.is_set():
                    break
                if when == "after the commit":
                    expected = (acknowledged[0] + 1) * 200 + baseline["sync_mutations"]
                    probe = engine_for(cluster.url).connect()
                    try:
                        committed = wait_for_commit(probe, expected, in_flight)
                    finally:
                        probe.close()
                    if not committed:
                        continue  # answered first
                else:
                    time.sleep(rng.uniform(0.02, 0.12))  # partway through the request
                log(
                    f"restart {number}: pg_ctl restart -m {mode} {when} "
                    f"(batch {acknowledged[0] + 1})"
                )
                cluster.restart(mode)
            thread.join(timeout=DEADLINE + 60)
            if thread.is_alive():
                raise CheckFailedError("the pushing client did not finish")
            if errors:
                raise errors[0]
        if cluster.restarts < len(RESTARTS) - 1:
            raise CheckFailedError(f"only {cluster.restarts} of {len(RESTARTS)} restarts happened")
        if push_log.failed_attempts == 0:
            raise CheckFailedError("no push failed: the restarts did not hit a request")
        result = check_exactly_once(cluster.url, [push_log], baseline)
    return (
        f"{cluster.restarts} restarts during {BATCHES} pushes of 200; "
        f"{push_log.failed_attempts} failed attempts retried "
        f"({', '.join(sorted(set(f.split(':')[0] for f in push_log.failures)))}), "
        f"{push_log.retried_batches} batches acknowledged after a retry, "
        f"{push_log.duplicates_after_retry} mutations answered 'duplicate' on retry; {result}"
    )


if __name__ == "__main__":
    main_wrapper(run)
