"""Fault: the same batch pushed twice at once (a phone that timed out and sent its outbox again
while the first request was still being applied, or two sync triggers racing).

Both requests carry the same client id and mutation ids; the second starts 50 ms after the
first. Each mutation must come back `applied` or `duplicate` from both (or `rejected` with
`retry`, which the app sends again), and be applied once.

    .venv/bin/python bench/faults/double_push.py

Exits 0 on pass, 1 with the reason on fail.
"""

from __future__ import annotations

import collections
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.faults.harness import (
    CheckFailedError,
    PushLog,
    call,
    check_exactly_once,
    fill,
    log,
    login,
    main_wrapper,
    new_batch,
    private_cluster,
    row_counts,
)
from bench.load.server import gunicorn

TRIALS = 6


def run() -> str:
    rng = random.Random(3)
    answers: collections.Counter[str] = collections.Counter()
    with private_cluster() as cluster:
        log(f"private PostgreSQL on port {cluster.port}; filling")
        who = fill(cluster.url)[0]
        baseline = row_counts(cluster.url)
        server_log = Path(tempfile.mkdtemp(prefix="feltlogg-faults-")) / "gunicorn.log"
        logs = []
        with gunicorn(cluster.url, server_log, workers=2, threads=4) as app:
            token = login(app.port, who.email)
            for trial in range(TRIALS):
                push_log = PushLog(client_id=str(uuid.uuid4()))
                mutations = new_batch(who, 200, rng, grouped=trial % 2 == 0)
                push_log.sent.extend(mutations)
                logs.append(push_log)
                body = {
                    "client_id": push_log.client_id,
                    "schema_version": 1,
                    "mutations": mutations,
                }
                out: list[Any] = [None, None]

                def send(
                    index: int, delay: float, body: dict[str, Any] = body, out: list[Any] = out
                ) -> None:
                    time.sleep(delay)
                    out[index] = call(app.port, "POST", "/api/v1/sync/push", body, token, 120)

                threads = [
                    threading.Thread(target=send, args=(0, 0.0)),
                    threading.Thread(target=send, args=(1, 0.05)),
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=180)
                for status, answer in out:
                    if status != 200:
                        raise CheckFailedError(f"push answered {status}: {answer}")
                    for result in answer["results"]:
                        label = result["status"] + (" (retry)" if result.get("retry") else "")
                        if result["status"] == "rejected":
                            label += f": {result.get('detail', '')}"
                        answers[label] += 1
        summary = ", ".join(f"{n} {label}" for label, n in answers.most_common())
        wrong = {
            label: n
            for label, n in answers.items()
            if label.startswith("rejected") and "(retry)" not in label
        }
        if wrong:
            raise CheckFailedError(
                f"{TRIALS} batches of 200 sent twice at once: {summary}; mutations that were "
                "applied came back rejected, without retry"
            )
        result = check_exactly_once(cluster.url, logs, baseline)
    return f"{TRIALS} batches of 200 sent twice at once: {summary}; {result}"


if __name__ == "__main__":
    main_wrapper(run)
