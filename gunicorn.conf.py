"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden from the environment (GUNICORN_WORKERS, GUNICORN_THREADS,
GUNICORN_BIND, GUNICORN_TIMEOUT, ...). Requests spend most of their time waiting on PostgreSQL,
so each worker process runs a few threads; workers are sized from the CPU count.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


cpus = multiprocessing.cpu_count()

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# One process per core plus one, so a core is never idle while a worker is in the database.
workers = _int("GUNICORN_WORKERS", cpus + 1)
# gthread: threads share a worker's connection pool (SQLALCHEMY pool_size follows this number).
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
# The most connections one worker holds open. Clients (or the proxy's upstream pool) keep their
# connections alive, and the kernel hands most new ones to one worker, whose threads then do
# the work of all while the others idle: one process, one core (the GIL). A cap near the
# threads of all workers spreads the connections over the workers (docs/performance.md).
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", workers * threads)
# A sync push of a large offline batch may take seconds on a busy database; a stuck worker is
# replaced after this many seconds.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so that slow leaks cannot accumulate; jitter avoids all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Loaded once in the master, then forked: faster start and shared memory pages.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in ("0", "false", "off")
# The app writes its own JSON request log; gunicorn's access log would repeat it.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Only the proxy in front (nginx on the same host) may set X-Forwarded-*.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):  # type: ignore[no-untyped-def]
    """Connections opened in the master before the fork must not be shared by workers."""
    from api.extensions import db

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "app_context"):
        with app.app_context():
            db.engine.dispose(close=False)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """With PROMETHEUS_MULTIPROC_DIR set, an ended worker's totals are added into the archive
    files and its own files removed, so that a scrape reads as many files however long the
    service has run (its live gauges go, as with prometheus_client's mark_process_dead)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from api.observability.metrics import fold_ended_process

        fold_ended_process(worker.pid)
