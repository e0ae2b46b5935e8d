"""Benchmark of a `/metrics` scrape after many gunicorn workers have been replaced.

Run with `make bench-metrics` (or `.venv/bin/python bench/metrics_bench.py [--workers 500]`).
With PROMETHEUS_MULTIPROC_DIR set, every process writes its counters and histograms to files of
its own, and a scrape reads every file in the directory. gunicorn replaces a worker after
max_requests (20 000 ± 2 000): at national request rates that is some hundreds a day.

One worker's files are made by a process of the app that has seen every route of the app with
every method it allows, answered 2xx and 4xx, and sync pushes, pulls and web push deliveries:
the most labels a worker can write. Copies of them stand for the ended workers. Then, in one
run: the CPU time of a scrape with every ended worker's files left behind (as before: only the
live gauges were removed when a worker ended), the CPU time of folding each ended worker into
the archive files (what gunicorn's master now does when a worker ends, gunicorn.conf.py), and
the CPU time of a scrape after that, with the sums checked equal.

Prints Markdown for docs/performance.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# One worker's numbers: every route and method, answered 2xx and 4xx, and the sync and push
# counters, written by the app's own functions.
WORKER = """
import sys
from api import create_app
from api.observability import metrics
app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40,
                  "JWT_SECRET_KEY": "y" * 40, "TESTING": True})
for rule in app.url_map.iter_rules():
    for method in sorted(rule.methods or ()):
        for status in (200, 404):
            metrics.observe_request(rule.rule, method, status, 0.01)
metrics.record_push([{"status": s} for s in ("applied", "merged", "duplicate")], 1000)
metrics.record_push([{"status": "rejected", "errors": {"x": ["y"]}}, {"status": "rejected"},
                     {"status": "rejected", "retry": True}], 1000)
for initial, reset in ((True, False), (False, False), (False, True)):
    metrics.record_pull(initial, reset, 10, 10000)
for outcome in ("delivered", "gone", "failed"):
    metrics.record_delivery(outcome)
metrics.record_push_retry()
"""

# A scrape, timed in CPU seconds, in a process of its own reading the directory.
SCRAPE = """
import json, statistics, sys, time
from api.observability import metrics
times, text = [], b""
for _ in range(int(sys.argv[1])):
    started = time.process_time()
    text = metrics.exposition()
    times.append(time.process_time() - started)
total = sum(float(line.split()[-1]) for line in text.decode().splitlines()
            if line.startswith("feltlogg_http_requests_total{"))
print(json.dumps({"median": statistics.median(times), "requests": total,
                  "bytes": len(text)}))
"""


def run(script: str, directory: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=500, help="ended workers (500)")
    parser.add_argument("--scrapes", type=int, default=5, help="scrapes timed, median (5)")
    options = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from api.observability.metrics import fold_ended_process

    with tempfile.TemporaryDirectory(prefix="feltlogg-metrics-") as name:
        directory = Path(name)
        run(WORKER, directory)
        [counter] = directory.glob("counter_*.db")
        [histogram] = directory.glob("histogram_*.db")
        source_pid = int(counter.stem.split("_")[1])
        # The ended workers: copies under other process ids.
        ended = [1_000_000 + n for n in range(options.workers)]
        for pid in ended:
            shutil.copyfile(counter, directory / f"counter_{pid}.db")
            shutil.copyfile(histogram, directory / f"histogram_{pid}.db")
        files_before = len(list(directory.glob("*.db")))
        before = json.loads(run(SCRAPE, directory, str(options.scrapes)))

        started = time.process_time()
        for pid in [source_pid, *ended]:
            fold_ended_process(pid, str(directory))
        fold_seconds = (time.process_time() - started) / (len(ended) + 1)
        files_after = len(list(directory.glob("*.db")))
        after = json.loads(run(SCRAPE, directory, str(options.scrapes)))

    assert before["requests"] == after["requests"], (before, after)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; one worker's files hold "
        f"{int(before['requests']) // (options.workers + 1)} request counts.\n"
    )
    print("| state | files | scrape CPU (ms, median) | body (kB) |")
    print("|---|---:|---:|---:|")
    print(
        f"| {options.workers + 1} ended workers' files left | {files_before} | "
        f"{before['median'] * 1000:.1f} | {before['bytes'] / 1000:.0f} |"
    )
    print(
        f"| folded into the archive | {files_after} | {after['median'] * 1000:.1f} | "
        f"{after['bytes'] / 1000:.0f} |"
    )
    print(
        f"\nFolding one ended worker (in gunicorn's master): {fold_seconds * 1000:.2f} ms of "
        f"CPU. The sums are the same: {int(after['requests'])} requests counted before and after."
    )


if __name__ == "__main__":
    main()
