"""What the fault scripts share: a throwaway PostgreSQL cluster of their own, a small data set
in it, gunicorn on it, a plain HTTP client, and the exactly-once check.

The cluster is made with initdb in a temporary directory and listens on a free port of
127.0.0.1, so restarting it disturbs nobody (the machine's shared PostgreSQL is never touched).
Everything started here is stopped on the way out, on failure and on SIGTERM/SIGINT too, by
process id or process group id: never by name.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import uuid6
from sqlalchemy import NullPool, create_engine, text

from bench.load.server import ROOT, free_port

OSLO = ZoneInfo("Europe/Oslo")
PASSWORD = "bench1234"


class CheckFailedError(Exception):
    """The fault script's check failed: the message says what."""


def exit_on_signals() -> None:
    """SIGTERM and SIGINT end the script through its finally blocks, so that clusters and
    servers are stopped."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def main_wrapper(run: Any) -> None:
    """Run `run()`; exit 0 on pass, 1 with the message on a failed check, 2 on an error."""
    exit_on_signals()
    started = time.monotonic()
    name = Path(sys.argv[0]).stem
    try:
        summary = run()
    except CheckFailedError as failure:
        print(f"FAIL {name}: {failure}", flush=True)
        sys.exit(1)
    except Exception as error:
        print(f"ERROR {name}: {type(error).__name__}: {error}", flush=True)
        raise SystemExit(2) from error
    print(f"PASS {name} ({time.monotonic() - started:.0f} s): {summary}", flush=True)


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- a private PostgreSQL cluster -------------------------------------------------------------


def _bin_dir() -> Path:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return found[-1].parent


@dataclass
class Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the `postgres` user when this
    process is root (initdb refuses root)."""

    directory: Path
    port: int
    bin_dir: Path = field(default_factory=_bin_dir)
    restarts: int = 0

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/feltlogg"

    def _run(self, *args: str, timeout: float = 120) -> None:
        user = "postgres" if os.geteuid() == 0 else None
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            user=user,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}")

    def init(self) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} "
            "-c max_connections=60 -c shared_buffers=64MB"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def restart(self, mode: str = "fast") -> None:
        """Stop (fast: roll back and disconnect; immediate: no clean shutdown, crash recovery
        at start) and start again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.start()
        self.restarts += 1

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop")
        pid_file = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError):
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, signal.SIGKILL)  # only if the stop above did not work


@contextlib.contextmanager
def private_cluster() -> Iterator[Cluster]:
    """A fresh cluster with an empty `feltlogg` database; stopped and deleted afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="feltlogg-faults-pg-"))
    cluster = Cluster(directory, free_port())
    try:
        cluster.init()
        cluster.start()
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres",
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
        )
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE feltlogg"))
        admin.dispose()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- the data set ------------------------------------------------------------------------------


@dataclass
class Specialist:
    email: str
    employers: list[str]
    participants: list[str]


def fill(url: str, *, specialists: int = 2, weeks: int = 3) -> list[Specialist]:
    """Migrate and fill with one team of bench/national.py's country (a small one)."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from flask_migrate import upgrade\n"
        "from api import create_app\n"
        "from api.auth.service import hash_password\n"
        "from api.extensions import db\n"
        "from bench.national import PASSWORD, generate\n"
        "app = create_app({'DATABASE_URL': sys.argv[1], 'SECRET_KEY': 'b' * 40,"
        " 'JWT_SECRET_KEY': 'c' * 40})\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    with db.engine.begin() as conn:\n"
        f"        generate(conn, teams=1, specialists_per_team={specialists},"
        " participants_per_specialist=6, employers_per_team=25,"
        f" weeks={weeks}, password_hash=hash_password(PASSWORD))\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, url],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    engine = engine_for(url)
    people = []
    with engine.connect() as conn:
        for user_id, email, team_id in conn.execute(
            text("SELECT id, email, team_id FROM users WHERE role = 'specialist' ORDER BY email")
        ):
            employers = conn.execute(
                text("SELECT id FROM employers WHERE team_id = :t"), {"t": team_id}
            ).scalars()
            participants = conn.execute(
                text("SELECT id FROM participants WHERE specialist_id = :s"), {"s": user_id}
            ).scalars()
            people.append(
                Specialist(email, [str(e) for e in employers], [str(p) for p in participants])
            )
    engine.dispose()
    return people


def engine_for(url: str) -> Any:
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://"), poolclass=NullPool)


# --- HTTP --------------------------------------------------------------------------------------


class UnansweredError(Exception):
    """No complete HTTP answer: refused, reset, cut off, timed out."""


def call(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    timeout: float = 30.0,
    host: str = "127.0.0.1",
) -> tuple[int, Any]:
    """One request on a connection of its own; (status, parsed JSON body or None)."""
    headers = {"Accept": "application/json"}
    payload = None
    if body is not None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as error:
        raise UnansweredError(f"{type(error).__name__}: {error}") from error
    finally:
        conn.close()
    try:
        return status, json.loads(data) if data else None
    except ValueError as error:
        raise UnansweredError(f"not JSON ({len(data)} bytes): {error}") from error


def login(port: int, email: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            status, body = call(
                port, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}
            )
            if status == 200:
                return str(body["access_token"])
        except UnansweredError:
            status = 0
        if time.monotonic() > deadline:
            raise RuntimeError(f"could not sign in as {email} ({status})")
        time.sleep(0.5)


# --- pushes and the exactly-once check ---------------------------------------------------------


def new_batch(
    who: Specialist, size: int = 200, rng: random.Random | None = None, grouped: bool = True
) -> list[dict]:
    """New employer contacts and meetings, half each: grouped by entity (runs of creations,
    which the engine writes together), or alternating, in the order they were logged."""
    rng = rng or random.Random()
    now = datetime.now(OSLO).replace(microsecond=0)
    mutations = []
    for n in range(size):
        when = now - timedelta(minutes=7 * n + rng.randrange(7))
        if n % 2 == 0:
            entity, data = (
                "employer_contacts",
                {
                    "employer_id": rng.choice(who.employers),
                    "contacted_at": when.isoformat(),
                    "mode": rng.choice(("in_person", "phone", "email")),
                    "purpose": "Feiltest",
                },
            )
        else:
            entity, data = (
                "meetings",
                {
                    "participant_id": rng.choice(who.participants),
                    "starts_at": when.isoformat(),
                    "duration_minutes": 45,
                    "setting": "community",
                    "kind": "job_search",
                },
            )
        mutations.append(
            {
                "mutation_id": str(uuid.uuid4()),
                "entity": entity,
                "op": "upsert",
                "id": str(uuid6.uuid7()),
                "base_version": None,
                "data": data,
            }
        )
    if grouped:
        mutations.sort(key=lambda m: m["entity"])
    return mutations


@dataclass
class PushLog:
    """What one client sent and what the server acknowledged."""

    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sent: list[dict] = field(default_factory=list)  # every mutation, once
    statuses: dict[str, int] = field(default_factory=dict)
    attempts: int = 0
    failed_attempts: int = 0
    failures: list[str] = field(default_factory=list)
    retried_batches: int = 0
    duplicates_after_retry: int = 0


def push_until_acknowledged(
    port: int,
    token: str,
    log_: PushLog,
    mutations: list[dict],
    deadline: float,
    before_attempt: Any = None,
) -> None:
    """POST the batch, and again with the same client and mutation ids after any failure, until
    the server answers 200 with every mutation applied (or already applied, `duplicate`)."""
    body = json.dumps(
        {"client_id": log_.client_id, "schema_version": 1, "mutations": mutations}
    ).encode()
    log_.sent.extend(mutations)
    wait, attempt = 0.2, 0
    while True:
        attempt += 1
        log_.attempts += 1
        if before_attempt is not None:
            before_attempt(attempt)
        try:
            status, answer = call(port, "POST", "/api/v1/sync/push", body, token, timeout=60)
        except UnansweredError as error:
            status, answer = 0, str(error)
        if status == 200:
            results = answer["results"]
            statuses = [r["status"] for r in results]
            if len(results) != len(mutations) or any(
                s not in ("applied", "duplicate") for s in statuses
            ):
                bad = [r for r in results if r["status"] not in ("applied", "duplicate")]
                raise CheckFailedError(f"push answered 200 with mutations not applied: {bad[:3]}")
            for s in statuses:
                log_.statuses[s] = log_.statuses.get(s, 0) + 1
            if attempt > 1:
                log_.retried_batches += 1
                log_.duplicates_after_retry += statuses.count("duplicate")
            return
        log_.failed_attempts += 1
        if len(log_.failures) < 10:
            log_.failures.append(f"{status or 'no answer'}: {str(answer)[:160]}")
        if time.monotonic() > deadline:
            raise CheckFailedError(
                f"a batch was still not acknowledged at the deadline; last: {status} {answer}"
            )
        time.sleep(wait)
        wait = min(wait * 2, 2.0)


def check_exactly_once(url: str, logs: list[PushLog], baseline: dict[str, int]) -> str:
    """Every sent mutation applied exactly once: each record exists once, each mutation id is
    in the idempotency log (sync_mutations) once for its client, and no other rows appeared."""
    engine = engine_for(url)
    sent = [m for log_ in logs for m in log_.sent]
    problems = []
    with engine.connect() as conn:
        for table in ("employer_contacts", "meetings"):
            ids = [uuid.UUID(m["id"]) for m in sent if m["entity"] == table]
            found = conn.execute(
                text(f"SELECT count(*), count(DISTINCT id) FROM {table} WHERE id = ANY(:ids)"),
                {"ids": ids},
            ).one()
            total = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            if not (len(ids) == len(set(ids)) == found[0] == found[1]):
                problems.append(f"{table}: {len(ids)} sent, {found[0]} rows with those ids")
            if total - baseline[table] != len(ids):
                problems.append(f"{table}: {total - baseline[table]} new rows, {len(ids)} sent")
        for log_ in logs:
            expected = {uuid.UUID(m["mutation_id"]) for m in log_.sent}
            rows = conn.execute(
                text("SELECT mutation_id, result FROM sync_mutations WHERE client_id = :c"),
                {"c": uuid.UUID(log_.client_id)},
            ).all()
            logged = [row.mutation_id for row in rows]
            if len(logged) != len(set(logged)) or set(logged) != expected:
                problems.append(
                    f"sync_mutations for {log_.client_id}: {len(logged)} rows "
                    f"({len(set(logged) - expected)} not sent, {len(expected - set(logged))} "
                    f"missing), {len(expected)} sent"
                )
            not_applied = [r.result for r in rows if (r.result or {}).get("status") != "applied"]
            if not_applied:
                problems.append(f"sync_mutations results not 'applied': {not_applied[:3]}")
        total_log = conn.execute(text("SELECT count(*) FROM sync_mutations")).scalar()
        if total_log - baseline["sync_mutations"] != len(sent):
            problems.append(f"sync_mutations grew by {total_log - baseline['sync_mutations']}")
    engine.dispose()
    if problems:
        raise CheckFailedError("; ".join(problems))
    return f"{len(sent)} mutations, each applied exactly once (rows and sync_mutations counted)"


def wait_for_commit(probe: Any, expected: int, in_flight: Any) -> bool:
    """Poll until sync_mutations holds `expected` rows (the push in flight has committed):
    True; False if the push was answered first (`in_flight` cleared)."""
    while in_flight.is_set():
        count = probe.execute(text("SELECT count(*) FROM sync_mutations")).scalar()
        probe.rollback()
        if count >= expected:
            return True
    return False


def row_counts(url: str) -> dict[str, int]:
    engine = engine_for(url)
    with engine.connect() as conn:
        counts = {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)
            for table in ("employer_contacts", "meetings", "sync_mutations")
        }
    engine.dispose()
    return counts
