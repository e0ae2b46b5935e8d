"""The load test's simulated users, for locust (headless; started by bench/load/run.py, which
writes the plan this file reads from LOAD_PLAN and reads the results it writes).

Every simulated user signs in once in on_start. When all of them have, and after a warm-up,
the measured window begins: latencies are recorded per request kind from then until the
window ends. Then the pushing users finish the batch they are in (each acknowledged mutation
is written down for the exactly-once check), and locust quits.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import resource
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gevent
import orjson
import psutil
import uuid6
from locust import FastHttpUser, between, constant_throughput, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from bench.load.server import backend_cpu_seconds, children_cpu_seconds, tree_cpu_seconds

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
OSLO = ZoneInfo("Europe/Oslo")

INCREMENTAL = "incremental pull"
INITIAL_PAGE = "initial pull, one page of 500"
INITIAL_SYNC = "initial sync, all pages"
PUSH = "push of 200 new records"
PUSH_INTERLEAVED = "push of 200, entities interleaved"
WEEKLY = "report: weekly, 12 weeks"
FIDELITY = "report: fidelity, 13 weeks"
BASELINE = "auth/me (baseline)"
SETUP_LOGIN = "setup: login"
SETUP_CURSOR = "setup: full pull for a cursor"

CONTACT_MODES = ("in_person", "in_person", "phone", "email", "video")
PURPOSES = ("Presentere deltaker", "Bli kjent med bedriften", "Oppfølging etter oppstart")
MEETING_KINDS = ("job_search", "follow_along", "career_profile", "interview_preparation")


class _State:
    """What the users share, in this one process (gevent: no locks needed)."""

    def __init__(self) -> None:
        self.ready = 0
        self.measuring = False
        self.stopping = False
        self.pushes_in_flight = 0
        self.latencies: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []
        self.setup_errors: list[str] = []
        # the exactly-once check: what the server acknowledged, over the whole run
        self.client_ids: list[str] = []
        self.acked: dict[str, list[str]] = {"employer_contacts": [], "meetings": []}
        self.acked_mutations: list[str] = []
        self.sent: dict[str, list[str]] = {}  # mutation id -> [entity, record id]
        self.rejected: list[dict[str, Any]] = []  # for good: a bug in the test's mutations
        self.outside_errors: list[str] = []  # failed requests before the measured window
        self.statuses: dict[str, int] = {}
        self.unacknowledged = 0  # batches given up on (never, unless the server is down)
        self.pulled_changes = 0
        self.window: dict[str, float] = {}
        self.cpu: dict[str, float] = {}


STATE = _State()


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response_length: int,
    exception: Any = None,
    **kwargs: Any,
) -> None:
    if not STATE.measuring:
        if exception is not None and len(STATE.outside_errors) < 100:
            STATE.outside_errors.append(f"{name}: {exception}"[:300])
        return
    STATE.latencies.setdefault(name, []).append(response_time)
    if exception is not None:
        STATE.errors[name] = STATE.errors.get(name, 0) + 1
        if len(STATE.error_samples) < 20:
            STATE.error_samples.append(f"{name}: {exception}"[:500])


def _cpu_snapshot() -> dict[str, Any]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    machine = psutil.cpu_times()
    busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    return {
        "time": time.monotonic(),
        "load_generator": usage.ru_utime + usage.ru_stime,
        "gunicorn": tree_cpu_seconds(int(PLAN["gunicorn_pid"])),
        "workers": children_cpu_seconds(int(PLAN["gunicorn_pid"])),
        "postgres": backend_cpu_seconds(PLAN["database"]),
        "machine_busy": busy,
    }


def _cpu_share(start: dict[str, Any], end: dict[str, Any]) -> dict[str, Any]:
    """Cores used on average in the window, by part."""
    seconds = end["time"] - start["time"]
    backends = sum(cpu - start["postgres"].get(pid, 0.0) for pid, cpu in end["postgres"].items())
    return {
        "load_generator": (end["load_generator"] - start["load_generator"]) / seconds,
        "gunicorn": (end["gunicorn"] - start["gunicorn"]) / seconds,
        "postgres": backends / seconds,
        "machine": (end["machine_busy"] - start["machine_busy"]) / seconds,
        "per_worker": sorted(
            (
                round((cpu - start["workers"].get(pid, 0.0)) / seconds, 2)
                for pid, cpu in end["workers"].items()
            ),
            reverse=True,
        ),
        "cores": float(psutil.cpu_count() or 0),
        "load_average_end": os.getloadavg()[0],
    }


def _control(environment: Environment) -> None:
    """Wait for every user to sign in, warm up, measure, drain the pushes, write, quit."""
    total = sum(PLAN["users"].values())
    started = time.monotonic()
    deadline = started + float(PLAN["setup_timeout"])
    while STATE.ready < total and time.monotonic() < deadline:
        gevent.sleep(0.5)
    setup_seconds = time.monotonic() - started
    if STATE.ready < total:
        STATE.setup_errors.append(f"only {STATE.ready} of {total} users were ready in time")
    else:
        gevent.sleep(float(PLAN["warmup_seconds"]))
        before = _cpu_snapshot()
        STATE.measuring = True
        STATE.window["start"] = time.time()
        gevent.sleep(float(PLAN["seconds"]))
        STATE.measuring = False
        STATE.window["end"] = time.time()
        STATE.cpu = _cpu_share(before, _cpu_snapshot())
    STATE.stopping = True
    drain_until = time.monotonic() + 120
    while STATE.pushes_in_flight and time.monotonic() < drain_until:
        gevent.sleep(0.1)
    results = {
        "setup_seconds": setup_seconds,
        "window": STATE.window,
        "latencies": STATE.latencies,
        "errors": STATE.errors,
        "error_samples": STATE.error_samples,
        "setup_errors": STATE.setup_errors[:20],
        "cpu": STATE.cpu,
        "client_ids": STATE.client_ids,
        "acked": STATE.acked,
        "acked_mutations": STATE.acked_mutations,
        "sent": STATE.sent,
        "rejected": STATE.rejected[:20],
        "outside_errors": STATE.outside_errors[:20],
        "statuses": STATE.statuses,
        "unacknowledged": STATE.unacknowledged,
        "pushes_in_flight_at_end": STATE.pushes_in_flight,
        "pulled_changes": STATE.pulled_changes,
    }
    Path(PLAN["results"]).write_bytes(orjson.dumps(results))
    assert environment.runner is not None
    environment.runner.quit()


@events.test_start.add_listener
def _start(environment: Environment, **kwargs: Any) -> None:
    gevent.spawn(_control, environment)


class _Signed(FastHttpUser):
    """A user who signs in once, as the next identity of their kind in the plan."""

    abstract = True
    kind = ""
    # A phone talks to the server over one connection at a time.
    concurrency = 1
    connection_timeout = 30.0
    network_timeout = 60.0
    _numbers: dict[str, itertools.count[int]] = {}

    def on_start(self) -> None:
        people = PLAN["identities"][self.kind]
        number = next(self._numbers.setdefault(self.kind, itertools.count()))
        self.me = people[number % len(people)]
        self.headers: dict[str, str] = {}
        for attempt in range(20):
            with self.client.post(
                "/api/v1/auth/login",
                json={"email": self.me["email"], "password": PLAN["password"]},
                name=SETUP_LOGIN,
                catch_response=True,
            ) as response:
                if response.status_code == 200:
                    token = response.json()["access_token"]
                    self.headers = {"Authorization": f"Bearer {token}"}
                    break
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
            gevent.sleep(min(2**attempt, 10))
        else:
            raise RuntimeError(f"could not sign in as {self.me['email']}")
        self.prepare()
        STATE.ready += 1

    def prepare(self) -> None:
        """More setup before the user counts as ready."""

    def pull(self, cursor: str | None, name: str) -> tuple[dict[str, Any] | None, int]:
        """One page; (the body or None if it failed, its size in bytes)."""
        path = "/api/v1/sync/pull?limit=500" + (f"&cursor={cursor}" if cursor else "")
        with self.client.get(
            path, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return None, 0
            body = orjson.loads(response.content)
            if not isinstance(body.get("changes"), list) or "cursor" not in body:
                response.failure("not a pull response")
                return None, 0
            return body, len(response.content or b"")


class MorningRush(_Signed):
    """A specialist opening the app on a new phone: the whole scope, page by page."""

    kind = "initial"
    fixed_count = int(PLAN["users"]["MorningRush"])
    wait_time = between(*PLAN["initial_wait"])

    @task
    def initial_sync(self) -> None:
        if STATE.stopping:
            gevent.sleep(1)
            return
        started, size, cursor, pages = time.perf_counter(), 0, None, 0
        while True:
            body, length = self.pull(cursor, INITIAL_PAGE)
            if body is None:
                return  # counted as a failed page; the whole sync is not timed
            size += length
            pages += 1
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        events.request.fire(
            request_type="SYNC",
            name=INITIAL_SYNC,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=size,
            exception=None,
            context={},
        )


class IncrementalPull(_Signed):
    """A phone that synced before, pulling every so often: nothing or little is new."""

    kind = "incremental"
    fixed_count = int(PLAN["users"]["IncrementalPull"])
    wait_time = constant_throughput(float(PLAN["pull_rate_per_user"]))

    def prepare(self) -> None:
        cursor = None
        while True:
            body, _ = self.pull(cursor, SETUP_CURSOR)
            if body is None:
                gevent.sleep(1)
                continue
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        self.cursor = cursor

    @task
    def incremental(self) -> None:
        body, _ = self.pull(self.cursor, INCREMENTAL)
        if body is not None:
            STATE.pulled_changes += len(body["changes"])
            self.cursor = body["cursor"]


class _Pusher(_Signed):
    abstract = True
    kind = "push"
    interleaved = False
    name = PUSH

    def prepare(self) -> None:
        self.client_id = str(uuid.uuid4())  # one installation of the app
        self.last_detail = ""
        STATE.client_ids.append(self.client_id)

    def mutations(self) -> list[dict[str, Any]]:
        """A day offline: 100 employer contacts and 100 meetings on the specialist's caseload,
        grouped by entity, or in the order they were logged (interleaved)."""
        now = datetime.now(OSLO).replace(microsecond=0)
        me, rng = self.me, random.Random()
        contacts, meetings = [], []
        for n in range(100):
            when = now - timedelta(minutes=5 * n + rng.randrange(5))
            contacts.append(
                (
                    when,
                    "employer_contacts",
                    {
                        "employer_id": rng.choice(me["employers"]),
                        "contacted_at": when.isoformat(),
                        "mode": rng.choice(CONTACT_MODES),
                        "purpose": rng.choice(PURPOSES),
                        "notes": "Lastetest",
                    },
                )
            )
            when = now - timedelta(minutes=5 * n + rng.randrange(5), seconds=30)
            meetings.append(
                (
                    when,
                    "meetings",
                    {
                        "participant_id": rng.choice(me["participants"]),
                        "starts_at": when.isoformat(),
                        "duration_minutes": rng.choice((30, 45, 60)),
                        "setting": rng.choice(("community", "office")),
                        "kind": rng.choice(MEETING_KINDS),
                    },
                )
            )
        entries = contacts + meetings
        if self.interleaved:
            entries.sort(key=lambda entry: entry[0])
        return [
            {
                "mutation_id": str(uuid.uuid4()),
                "entity": entity,
                "op": "upsert",
                "id": str(uuid6.uuid7()),
                "base_version": None,
                "data": data,
            }
            for _, entity, data in entries
        ]

    def push_batch(self) -> None:
        """One batch, as the app sends its outbox: after a failed request the same mutations
        again (same client id, same mutation ids); after a 200, again only those rejected for
        a reason that is not the user's to fix (the server says `retry`, or another request
        was applying them). What the server acknowledged is written down."""
        pending = self.mutations()
        for mutation in pending:
            STATE.sent[mutation["mutation_id"]] = [mutation["entity"], mutation["id"]]
        headers = {**self.headers, "Content-Type": "application/json"}
        STATE.pushes_in_flight += 1
        try:
            for attempt in range(40):
                body = orjson.dumps(
                    {"client_id": self.client_id, "schema_version": 1, "mutations": pending}
                )
                with self.client.post(
                    "/api/v1/sync/push",
                    data=body,
                    headers=headers,
                    name=self.name,
                    catch_response=True,
                ) as response:
                    if response.status_code == 200:
                        results = orjson.loads(response.content)["results"]
                        pending = self._acknowledge(pending, results)
                        if pending:
                            response.failure(
                                f"{len(pending)} rejected, to send again: {self.last_detail}"
                            )
                    else:
                        response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                if not pending:
                    return
                gevent.sleep(min(0.5 * 2**attempt, 5))
            STATE.unacknowledged += 1
        finally:
            STATE.pushes_in_flight -= 1

    def _acknowledge(
        self, mutations: list[dict[str, Any]], results: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Record the answers; the mutations to send again."""
        by_id = {m["mutation_id"]: m for m in mutations}
        again = []
        for result in results:
            status = result["status"]
            STATE.statuses[status] = STATE.statuses.get(status, 0) + 1
            mutation = by_id.pop(result["mutation_id"])
            if status in ("applied", "duplicate"):
                STATE.acked[mutation["entity"]].append(mutation["id"])
                STATE.acked_mutations.append(mutation["mutation_id"])
            elif result.get("retry") or "another request" in result.get("detail", ""):
                again.append(mutation)
                self.last_detail = str(result.get("detail", ""))[:160]
            else:
                STATE.rejected.append(result)
        return again + list(by_id.values())


class OfflinePush(_Pusher):
    """A phone back online after a day in the field: a burst of 1 to 3 batches of 200."""

    fixed_count = int(PLAN["users"]["OfflinePush"])
    wait_time = between(*PLAN["push_wait"])

    @task
    def burst(self) -> None:
        for _ in range(random.randint(1, 3)):
            if STATE.stopping:
                gevent.sleep(1)
                return
            self.push_batch()


class InterleavedPush(_Pusher):
    """The same day offline, the outbox in the order things were logged (as the app sends
    it): contacts and meetings alternate, so there are no runs of one entity to batch."""

    fixed_count = int(PLAN["users"]["InterleavedPush"])
    wait_time = between(*PLAN["interleaved_wait"])
    interleaved = True
    name = PUSH_INTERLEAVED

    @task
    def one(self) -> None:
        if STATE.stopping:
            gevent.sleep(1)
            return
        self.push_batch()


class Supervisor(_Signed):
    """A supervisor reading the team's reports."""

    kind = "supervisor"
    fixed_count = int(PLAN["users"]["Supervisor"])
    wait_time = between(*PLAN["supervisor_wait"])

    def _get(self, path: str, name: str) -> None:
        with self.client.get(path, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}: {(r.text or '')[:200]}")

    @task
    def weekly(self) -> None:
        weeks = PLAN["weekly"]
        self._get(f"/api/v1/reports/weekly?from={weeks['from']}&to={weeks['to']}", WEEKLY)

    @task
    def fidelity(self) -> None:
        days = PLAN["fidelity"]
        self._get(f"/api/v1/reports/fidelity?from={days['from']}&to={days['to']}", FIDELITY)


class Baseline(_Signed):
    """The cheapest authenticated request, under the same load: the yardstick."""

    kind = "baseline"
    fixed_count = int(PLAN["users"]["Baseline"])
    wait_time = constant_throughput(float(PLAN["baseline_rate_per_user"]))

    @task
    def me(self) -> None:
        with self.client.get(
            "/api/v1/auth/me", headers=self.headers, name=BASELINE, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
