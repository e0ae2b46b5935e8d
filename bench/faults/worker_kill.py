"""Fault: a gunicorn worker is killed (SIGKILL) in the middle of a push.

gunicorn runs one worker process (so the request in flight is certainly in it), with threads.
A client pushes batches of 200 new employer contacts and meetings, retrying every failed request
with the same client id and mutation ids (as the app does). While a push is in flight the
script sends SIGKILL to the worker, and waits for the master to start a new one. Every other
kill comes at a random point of the request (from just after it was sent to past the time a
push takes); the others come the moment the batch's rows are visible in the database, that is
after the commit and before the answer has left, so that the retry must find them applied.
At the end every mutation must have been applied exactly once (records, the idempotency table
sync_mutations, and no other row).

    .venv/bin/python bench/faults/worker_kill.py

Exits 0 on pass, 1 with the reason on fail.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
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

BATCHES = 30
KILLS = 10
DEADLINE = 300


def run() -> str:
    rng = random.Random(23)
    with private_cluster() as cluster:
        log(f"private PostgreSQL on port {cluster.port}; filling")
        who = fill(cluster.url)[0]
        baseline = row_counts(cluster.url)
        server_log = Path(tempfile.mkdtemp(prefix="feltlogg-faults-")) / "gunicorn.log"
        with gunicorn(cluster.url, server_log, workers=1, threads=4) as app:
            token = login(app.port, who.email)
            push_log = PushLog()
            in_flight = threading.Event()
            done = threading.Event()
            durations: list[float] = []
            acknowledged = [0]
            errors: list[BaseException] = []
            deadline = time.monotonic() + DEADLINE

            def pusher() -> None:
                try:
                    for _ in range(BATCHES):
                        batch = new_batch(who, 200, rng)
                        started, attempts = time.monotonic(), push_log.attempts

                        def mark(attempt: int) -> None:
                            in_flight.set()

                        push_until_acknowledged(
                            app.port, token, push_log, batch, deadline, before_attempt=mark
                        )
                        in_flight.clear()
                        if push_log.attempts == attempts + 1:  # not retried: a clean time
                            durations.append(time.monotonic() - started)
                        acknowledged[0] += 1
                except BaseException as error:  # reported by the main thread
                    errors.append(error)
                finally:
                    done.set()

            probe = engine_for(cluster.url).connect()
            thread = threading.Thread(target=pusher, daemon=True)
            thread.start()
            killed = []
            for number in range(1, KILLS + 1):
                target = number * BATCHES // (KILLS + 2)
                while acknowledged[0] < max(target, 2) and not done.is_set():
                    time.sleep(0.01)
                in_flight.clear()
                if not in_flight.wait(timeout=30) or done.is_set():
                    break
                after_commit = number % 2 == 0
                if after_commit:
                    expected = (acknowledged[0] + 1) * 200 + baseline["sync_mutations"]
                    if not wait_for_commit(probe, expected, in_flight):
                        continue  # the answer came first: no kill this time
                else:
                    typical = statistics.median(durations) if durations else 0.3
                    time.sleep(rng.uniform(0.02, 1.3 * typical))
                workers = app.workers()
                if len(workers) != 1:
                    raise CheckFailedError(f"expected one worker, found {len(workers)}")
                pid = workers[0].pid
                when = "after the commit" if after_commit else "at a random point"
                log(f"kill {number}: SIGKILL worker {pid} {when} (batch {acknowledged[0] + 1})")
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                # The master notices and starts another.
                respawn_by = time.monotonic() + 60
                while time.monotonic() < respawn_by:
                    alive = [w.pid for w in app.workers() if w.pid != pid]
                    if alive:
                        break
                    time.sleep(0.05)
                else:
                    raise CheckFailedError("gunicorn did not replace the killed worker")
            thread.join(timeout=DEADLINE + 60)
            probe.close()
            if thread.is_alive():
                raise CheckFailedError("the pushing client did not finish")
            if errors:
                raise errors[0]
        if len(killed) < KILLS // 2:
            raise CheckFailedError(f"only {len(killed)} of {KILLS} kills happened")
        if push_log.failed_attempts == 0:
            raise CheckFailedError("no push failed: the kills did not hit a request")
        result = check_exactly_once(cluster.url, [push_log], baseline)
    kinds = sorted({f.split(":")[0] for f in push_log.failures})
    return (
        f"{len(killed)} workers killed during {BATCHES} pushes of 200 (half of them right "
        f"after the commit); "
        f"{push_log.failed_attempts} failed attempts retried ({', '.join(kinds)}), "
        f"{push_log.retried_batches} batches acknowledged after a retry, "
        f"{push_log.duplicates_after_retry} mutations answered 'duplicate' on retry (applied "
        f"before the kill, the answer lost); {result}"
    )


if __name__ == "__main__":
    main_wrapper(run)
