"""gunicorn as production runs it (`gunicorn -c gunicorn.conf.py wsgi:app`), for the load test
and the fault scripts: started in a process group of its own, stopped by that group's id.

Only the processes started here are ever signalled, by their ids: never by name.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SECRETS = {"SECRET_KEY": "s" * 48, "JWT_SECRET_KEY": "j" * 48}


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies (Linux), so
    that a server outlives no script that was killed before it could stop it."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a benchmarked server: its database, fixed secrets, no rate limits
    (every simulated user comes from 127.0.0.1, so the per-address limits would be the first
    thing measured), access tokens that outlive the run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("GUNICORN_BIND", "DATABASE_URL", "REDIS_URL")
        and not key.startswith("RATELIMIT_")
    }
    env.update(SECRETS)
    env.update(
        DATABASE_URL=database_url,
        RATELIMIT_ENABLED="off",
        LOGIN_LOCKOUT="",
        ACCESS_TOKEN_MINUTES="240",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.pid).children()
        except psutil.NoSuchProcess:
            return []

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def wait_ready(self, timeout: float = 90.0, workers: int | None = None) -> None:
        """Until /healthz answers 200 (and, if given, that many workers are up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.log_text()[-3000:]}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200 and (workers is None or len(self.workers()) >= workers):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s:\n{self.log_text()[-3000:]}")


def stop_group(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """SIGTERM to the process group that `process` leads, SIGKILL to what is left after
    `grace` seconds. The group id is the leader's pid (started with start_new_session)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@contextlib.contextmanager
def gunicorn(
    database_url: str,
    log_path: Path,
    *,
    workers: int | None = None,
    threads: int | None = None,
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 90.0,
) -> Iterator[Gunicorn]:
    """gunicorn with gunicorn.conf.py on a free port of 127.0.0.1, its output in `log_path`;
    stopped (its whole process group) on the way out, whatever happened."""
    port = free_port()
    extra = {"GUNICORN_BIND": f"127.0.0.1:{port}", **(extra_env or {})}
    if workers is not None:
        extra["GUNICORN_WORKERS"] = str(workers)
    if threads is not None:
        extra["GUNICORN_THREADS"] = str(threads)
    env = server_env(database_url, extra)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    server = Gunicorn(process, port, log_path)
    try:
        server.wait_ready(timeout, workers)
        yield server
    finally:
        stop_group(process)


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its living children."""
    total = 0.0
    try:
        parent = psutil.Process(pid)
        for process in [parent, *parent.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


def children_cpu_seconds(pid: int) -> dict[int, float]:
    """User + system CPU seconds of each living child of a process (gunicorn's workers)."""
    found: dict[int, float] = {}
    try:
        for child in psutil.Process(pid).children():
            with contextlib.suppress(psutil.NoSuchProcess):
                times = child.cpu_times()
                found[child.pid] = times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return found


def backend_cpu_seconds(database: str) -> dict[int, float]:
    """CPU seconds per PostgreSQL backend serving `database` (found by the process title
    PostgreSQL gives its backends: "postgres: <user> <database> <client> <state>")."""
    found: dict[int, float] = {}
    for process in psutil.process_iter(["pid", "cmdline"]):
        cmdline = process.info.get("cmdline") or []
        title = " ".join(cmdline)
        if title.startswith("postgres: ") and f" {database} " in f"{title} ":
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                found[process.pid] = times.user + times.system
    return found
