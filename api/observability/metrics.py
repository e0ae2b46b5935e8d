"""Prometheus metrics: what the app counts, and `/metrics`, where Prometheus reads them.

Under gunicorn each worker is a process of its own. With `PROMETHEUS_MULTIPROC_DIR` set (a
directory writable by the app, emptied when the service starts), every process (the workers,
and the scheduler, which sends the push messages) writes its numbers to files there, and
`/metrics` adds them up. Without it, `/metrics` shows the one process that answers.

Who may read `/metrics`: when `METRICS_ENABLED`, a client whose address is in `METRICS_ALLOW`
(loopback by default), or one that sends `Authorization: Bearer <METRICS_TOKEN>`. Anyone else
gets the same 404 as for a path that does not exist.

The sync engine (`sync/`) knows nothing of this: the routes that call it count what it returned.
"""

from __future__ import annotations

import fcntl
import hmac
import ipaddress
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.mmap_dict import MmapedDict
from werkzeug.exceptions import NotFound

MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
if MULTIPROC_DIR:
    # The first metric below writes its file there.
    os.makedirs(MULTIPROC_DIR, exist_ok=True)

# --- What is counted ------------------------------------------------------------------------

REQUEST_SECONDS = Histogram(
    "feltlogg_http_request_duration_seconds",
    "Time to answer a request, by route (the URL rule, not the path) and method.",
    ("route", "method"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
REQUESTS = Counter(
    "feltlogg_http_requests",
    "Requests answered, by route, method and status class (2xx, 4xx, ...).",
    ("route", "method", "status"),
)

COUNT_BUCKETS = (0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000)
BYTE_BUCKETS = (1e3, 1e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6, 1e7)

SYNC_PUSHES = Counter("feltlogg_sync_pushes", "Sync pushes answered.")
SYNC_PUSH_MUTATIONS = Histogram(
    "feltlogg_sync_push_mutations", "Mutations per sync push.", buckets=COUNT_BUCKETS
)
SYNC_PUSH_BYTES = Histogram(
    "feltlogg_sync_push_bytes", "Size of a sync push's request body.", buckets=BYTE_BUCKETS
)
SYNC_MUTATIONS = Counter(
    "feltlogg_sync_mutations",
    "Pushed mutations by result: applied, merged, duplicate (a replay), rejected.",
    ("status",),
)
SYNC_REJECTED = Counter(
    "feltlogg_sync_rejected_mutations",
    "Rejected mutations by reason: invalid (fields to fix), refused (not allowed, gone, "
    "deleted meanwhile), retry (lost a race; the app sends it again).",
    ("reason",),
)
SYNC_CONFLICTS = Counter(
    "feltlogg_sync_conflicts",
    "Conflicts created: fields that both sides changed, the losing value kept for a person.",
)
SYNC_PULLS = Counter(
    "feltlogg_sync_pulls",
    "Sync pulls answered: initial (no cursor), incremental, or reset (cursor too old).",
    ("kind",),
)
SYNC_PULL_CHANGES = Histogram(
    "feltlogg_sync_pull_changes", "Changes per sync pull page.", buckets=COUNT_BUCKETS
)
SYNC_PULL_BYTES = Histogram(
    "feltlogg_sync_pull_bytes",
    "Size of a sync pull page's body, before compression.",
    buckets=BYTE_BUCKETS,
)

PUSH_DELIVERIES = Counter(
    "feltlogg_push_deliveries",
    "Web push messages by what the push service said in the end: delivered, gone (the "
    "subscription was removed), failed.",
    ("outcome",),
)
PUSH_RETRIES = Counter(
    "feltlogg_push_retries",
    "Web push attempts tried again after a 429, a 5xx or a network error.",
)


# The labelled children by (route, method, status class): labels() costs more than observe().
_request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}


# Any other method a client makes up is counted as OTHER: labels must not grow without end.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    key = (route, method if method in METHODS else "OTHER", status // 100)
    children = _request_children.get(key)
    if children is None:
        children = (
            REQUEST_SECONDS.labels(route, key[1]),
            REQUESTS.labels(route, key[1], f"{key[2]}xx"),
        )
        _request_children[key] = children
    children[0].observe(seconds)
    children[1].inc()


def rejection_reason(result: Mapping[str, Any]) -> str:
    if result.get("retry"):
        return "retry"
    if result.get("errors"):
        return "invalid"
    return "refused"


def record_push(results: Iterable[Mapping[str, Any]], body_bytes: int | None) -> None:
    """Count a sync push from the engine's results (one per mutation)."""
    statuses: dict[str, int] = {}
    mutations = 0
    for result in results:
        mutations += 1
        status = str(result.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        if status == "rejected":
            SYNC_REJECTED.labels(rejection_reason(result)).inc()
        elif status == "merged":
            SYNC_CONFLICTS.inc(len(result.get("conflicts") or ()))
    for status, count in statuses.items():
        SYNC_MUTATIONS.labels(status).inc(count)
    SYNC_PUSHES.inc()
    SYNC_PUSH_MUTATIONS.observe(mutations)
    if body_bytes is not None:
        SYNC_PUSH_BYTES.observe(body_bytes)


def record_pull(initial: bool, reset: bool, changes: int, body_bytes: int) -> None:
    """Count a sync pull page."""
    SYNC_PULLS.labels("reset" if reset else "initial" if initial else "incremental").inc()
    SYNC_PULL_CHANGES.observe(changes)
    SYNC_PULL_BYTES.observe(body_bytes)


def record_delivery(outcome: str) -> None:
    PUSH_DELIVERIES.labels(outcome).inc()


def record_push_retry() -> None:
    PUSH_RETRIES.inc()


# --- /metrics ---------------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow(values: Iterable[str]) -> tuple[Network, ...]:
    """Addresses and networks (`127.0.0.1`, `10.0.0.0/8`, `::1`); stops the app on a typo."""
    try:
        return tuple(ipaddress.ip_network(value, strict=False) for value in values)
    except ValueError as error:
        raise RuntimeError(f"METRICS_ALLOW: {error}") from error


def address_allowed(address: str | None, allowed: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False  # a Unix socket, or nothing: only the token lets in
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in allowed)


def may_read_metrics(config: Mapping[str, Any]) -> bool:
    if not config.get("METRICS_ENABLED"):
        return False
    token = config.get("METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return True
    # A request that came through a proxy the app does not trust (TRUSTED_PROXIES unset) seems
    # to come from the proxy's own address, often loopback: it is not let in by address.
    if not config.get("TRUSTED_PROXIES") and "X-Forwarded-For" in request.headers:
        return False
    return address_allowed(request.remote_addr, config["METRICS_ALLOW_NETWORKS"])


def registry() -> CollectorRegistry:
    """This process's metrics, or every process's when they share a directory."""
    if MULTIPROC_DIR:
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=MULTIPROC_DIR)
        return merged
    return REGISTRY


# --- Workers that ended -----------------------------------------------------------------------
#
# Each process writes `counter_<pid>.db` and `histogram_<pid>.db`, and every scrape reads every
# file in the directory. gunicorn replaces its workers now and then (max_requests), so without
# care the files of ended workers pile up and a scrape slows down with the service's age (about
# a day of national traffic leaves hundreds). When a worker ends, its totals are added into one
# file per kind (`counter_archive.db`, `histogram_archive.db`) and its own files are removed:
# the sums a scrape reports stay the same, and the number of files stays that of the live
# processes plus two. A lock keeps a scrape from reading while the totals move (it would count
# them twice, or miss a file that is gone).

ARCHIVE = "archive"
_FOLDED_KINDS = ("counter", "histogram")


@contextmanager
def _fold_lock(path: str, *, exclusive: bool) -> Iterator[None]:
    with open(os.path.join(path, ".fold.lock"), "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def fold_ended_process(pid: int, path: str | None = None) -> None:
    """Add an ended process's counters and histograms into the archive files and remove its own
    (and its live gauges, as prometheus_client's `mark_process_dead` does). Run by the one
    process that reaps workers (gunicorn's master), so the archive has a single writer."""
    path = path or MULTIPROC_DIR
    if not path:
        return
    multiprocess.mark_process_dead(pid, path)
    with _fold_lock(path, exclusive=True):
        for kind in _FOLDED_KINDS:
            ended = os.path.join(path, f"{kind}_{pid}.db")
            if not os.path.exists(ended):
                continue
            archive = MmapedDict(os.path.join(path, f"{kind}_{ARCHIVE}.db"))
            try:
                for key, value, timestamp, _ in MmapedDict.read_all_values_from_file(ended):
                    total, _ = archive.read_value(key)
                    archive.write_value(key, total + value, timestamp)
            finally:
                archive.close()
            os.remove(ended)


def exposition() -> bytes:
    """The text a scrape answers with."""
    if MULTIPROC_DIR:
        with _fold_lock(MULTIPROC_DIR, exclusive=False):
            return generate_latest(registry())
    return generate_latest(registry())


blp = Blueprint("metrics", __name__)


@blp.get("/metrics")
def metrics() -> Response:
    """The metrics in Prometheus' text format; 404 for whoever may not read them."""
    if not may_read_metrics(current_app.config):
        raise NotFound()
    response = Response(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response.cache_control.no_store = True
    return response


def init_metrics(app: Flask) -> None:
    app.config["METRICS_ALLOW_NETWORKS"] = parse_allow(app.config.get("METRICS_ALLOW") or ())
    app.register_blueprint(blp)
