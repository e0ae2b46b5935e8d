"""Benchmark of the report endpoints on a national data set, on PostgreSQL.

Run with `make bench-reports` (or `.venv/bin/python bench/reports_bench.py [--scale 0.1]`). It
creates a private database on BENCH_DATABASE_URL's server (default:
postgresql://postgres@127.0.0.1:5432/postgres), migrates it, fills it with bench/national.py's
country (60 teams by default), and times, in-process through the Flask app (server time, no
network), each report as a signed-in supervisor, specialist or admin, against the cheapest
authenticated request (`GET /api/v1/auth/me`). Then it runs EXPLAIN ANALYZE on one team's
report queries, and, as an experiment in the private database only, times the reports with
and without two composite indexes. Prints Markdown tables."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Connection, Engine, event, text

from api import create_app
from api.auth.service import hash_password
from api.common.time import local_today
from api.extensions import db
from api.reports.weeks import IsoWeek
from bench.national import PASSWORD, generate, scaled
from tests.pgtemp import private_postgres_database

WEEKLY = "/api/v1/reports/weekly"
FIDELITY = "/api/v1/reports/fidelity"
OUTCOMES = "/api/v1/reports/outcomes"
BASELINE = "/api/v1/auth/me"
REPORT_TABLES = ("employer_contacts", "meetings", "participants", "week_reviews", "job_matches")
# The experiment: what the weekly report filters on, in one index per table.
SSD = 1.1  # a usual random_page_cost on SSD storage
EXPERIMENT_ROUNDS = 4  # pairs of blocks (with, without), of --runs / 2 requests per report
EXPERIMENT_DROP = "DROP INDEX bench_contacts_specialist_time, bench_meetings_specialist_time"
EXPERIMENT_INDEXES = (
    "CREATE INDEX bench_contacts_specialist_time"
    " ON employer_contacts (specialist_id, contacted_at)",
    "CREATE INDEX bench_meetings_specialist_time ON meetings (specialist_id, starts_at)",
)


def _autocommit() -> Connection:
    return db.engine.execution_options(isolation_level="AUTOCOMMIT").connect()


def _login(client: FlaskClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@dataclass
class Timing:
    """Request times and, of each, the time in the database driver (execute and fetch), ms."""

    times: list[float]
    sql: list[float]
    queries: int

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]

    @property
    def sql_median(self) -> float:
        return statistics.median(self.sql)

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.times + other.times, self.sql + other.sql, self.queries)


class _SqlClock:
    """Time spent in cursor.execute, and how many, since the last reset."""

    def __init__(self, engine: Engine) -> None:
        self.total, self.count, self.started = 0.0, 0, 0.0
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, *args: Any) -> None:
        self.started = time.perf_counter()

    def after(self, *args: Any) -> None:
        self.total += time.perf_counter() - self.started
        self.count += 1

    def reset(self) -> None:
        self.total, self.count = 0.0, 0


def _time(
    client: FlaskClient,
    clock: _SqlClock,
    path: str,
    headers: dict[str, str],
    query: dict[str, str],
    runs: int,
) -> Timing | str:
    """`runs` requests after two warm-up ones; what went wrong otherwise."""
    times, sql, count = [], [], 0
    for n in range(runs + 2):
        clock.reset()
        start = time.perf_counter()
        response = client.get(path, headers=headers, query_string=query)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            return f"{response.status_code}: {(response.json or {}).get('detail')}"
        if n >= 2:
            times.append(elapsed)
            sql.append(clock.total * 1000)
            count = clock.count
    return Timing(times, sql, count)


def _walk(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _walk(child)


def _explain(
    app: Flask,
    client: FlaskClient,
    path: str,
    headers: dict[str, str],
    query: dict[str, str],
    setting: str | None = None,
) -> list[tuple[str, str, float, int]]:
    """EXPLAIN (ANALYZE, BUFFERS) of every report-table query one request makes, as run
    (under a planner `setting` if given)."""
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and any(
            f"FROM {table}" in statement for table in REPORT_TABLES
        ):
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert client.get(path, headers=headers, query_string=query).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    rows = []
    with engine.connect() as conn:
        if setting:
            conn.exec_driver_sql(setting)
        for statement, parameters in captured:
            # the first table the statement reads from
            table = min(
                (t for t in REPORT_TABLES if f"FROM {t}" in statement),
                key=lambda t: statement.index(f"FROM {t}"),
            )
            raw = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters
            ).scalar()
            plan = raw[0] if isinstance(raw, list) else raw
            scans = []
            for node in _walk(plan["Plan"]):
                if "Scan" in node["Node Type"] and (
                    node.get("Relation Name") or "Index Name" in node
                ):
                    where = node.get("Index Name") or node.get("Relation Name")
                    scans.append(f"{node['Node Type']} ({where})")
            top = plan["Plan"]
            rows.append(
                (
                    table,
                    "; ".join(dict.fromkeys(scans)),
                    plan["Execution Time"],
                    top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0),
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="teams, as a share of 60")
    parser.add_argument("--runs", type=int, default=40, help="timed requests per row")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with private_postgres_database(server) as url:
        # The bench runs for longer than an access token lives (15 minutes): it signs in once,
        # so its tokens must last the run.
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "b" * 40,
                "JWT_SECRET_KEY": "c" * 40,
                "ACCESS_TOKEN_MINUTES": 24 * 60,
            }
        )
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            with db.engine.begin() as conn:
                data = generate(conn, **scaled(args.scale), password_hash=hash_password(PASSWORD))
            generated_s = time.perf_counter() - start
            # What autovacuum would have done by the time anyone reads a report.
            with _autocommit() as conn:
                conn.execute(text("VACUUM ANALYZE"))
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
                version = conn.execute(text("SHOW server_version")).scalar()
            vacuumed_s = time.perf_counter() - start - generated_s
            routes = {rule.rule for rule in app.url_map.iter_rules()}
            today = local_today()
        print(
            f"Generated {data.rows:,} rows in {generated_s:.1f} s (VACUUM ANALYZE "
            f"{vacuumed_s:.1f} s); database {size / 2**20:.0f} MB",
            file=sys.stderr,
        )

        team = data.teams[len(data.teams) // 2]
        client = app.test_client()
        supervisor = _login(client, team.supervisor_email)
        specialist = _login(client, team.specialist_emails[0])
        admin = _login(client, data.admin_email)
        this_week = IsoWeek.of(today)
        twelve = {"from": str(this_week.shifted(-11)), "to": str(this_week)}
        year = {"from": str(this_week.shifted(-51)), "to": str(this_week)}
        cases: list[tuple[str, str, str, dict[str, str], dict[str, str]]] = [
            ("baseline: auth/me", "supervisor", BASELINE, supervisor, {}),
            ("weekly, 12 weeks", "supervisor", WEEKLY, supervisor, twelve),
            ("weekly, 12 weeks", "specialist", WEEKLY, specialist, twelve),
            ("weekly, 12 weeks", "admin", WEEKLY, admin, {**twelve, "team_id": str(team.id)}),
            ("weekly, 52 weeks", "supervisor", WEEKLY, supervisor, year),
        ]
        if FIDELITY in routes:
            # Whole weeks up to the last completed one, as the report's default.
            sunday = this_week.monday - timedelta(days=1)
            for weeks in (13, 52):
                period = {
                    "from": str(sunday - timedelta(weeks=weeks, days=-1)),
                    "to": str(sunday),
                }
                cases.append(
                    (f"fidelity, {weeks} weeks", "supervisor", FIDELITY, supervisor, period)
                )
        if OUTCOMES in routes:
            current = (today.month - 1) // 3 + 1
            quarter = f"{today.year}-Q{current}"
            previous = f"{today.year - 1}-Q4" if current == 1 else f"{today.year}-Q{current - 1}"
            cases.append(
                (f"outcomes, {previous}", "supervisor", OUTCOMES, supervisor, {"quarter": previous})
            )
            cases.append(
                (f"outcomes, {quarter}", "specialist", OUTCOMES, specialist, {"quarter": quarter})
            )

        with app.app_context():
            clock = _SqlClock(db.engine)
        results = [
            (name, role, query, _time(client, clock, path, headers, query, args.runs))
            for name, role, path, headers, query in cases
        ]
        # The query plans of one team's reports, as the supervisor reads them.
        explained = [
            (f"{name} ({role})", path, headers, query)
            for name, role, path, headers, query in cases
            if role == "supervisor" and path != BASELINE and "52" not in name
        ]
        plans = [(label, _explain(app, client, *request)) for label, *request in explained]
        # Whether the planner is right to read all of job_matches for one team: the same
        # with random_page_cost for an SSD (the server's default, 4, is for spinning disks).
        for label, *request in explained:
            if request[0] in (FIDELITY, OUTCOMES):
                ssd = _explain(app, client, *request, setting=f"SET random_page_cost = {SSD}")
                plans.append((f"{label}, with random_page_cost = {SSD}", ssd))

        # The experiment: the reports with and without (specialist_id, time) indexes, in
        # short alternating blocks, so that changes in the shared machine's load hit both.
        timed = {(name, role) for name, role, _, t in results[1:] if isinstance(t, Timing)}
        without: dict[tuple[str, str], Timing] = {}
        indexed: dict[tuple[str, str], Timing] = {}
        for create in (True, False) * EXPERIMENT_ROUNDS:
            with app.app_context(), _autocommit() as conn:
                for statement in EXPERIMENT_INDEXES if create else (EXPERIMENT_DROP,):
                    conn.execute(text(statement))
                conn.execute(text("ANALYZE employer_contacts, meetings"))
            block = indexed if create else without
            for name, role, path, headers, query in cases[1:]:
                if (name, role) not in timed:
                    continue
                timing = _time(client, clock, path, headers, query, args.runs // 2)
                assert isinstance(timing, Timing), timing
                key = (name, role)
                block[key] = block[key] + timing if key in block else timing
        with app.app_context(), _autocommit() as conn:
            for statement in EXPERIMENT_INDEXES:
                conn.execute(text(statement))
            conn.execute(text("ANALYZE employer_contacts, meetings"))
        label, *request = explained[0]
        plans.append((f"{label}, with the experiment's indexes", _explain(app, client, *request)))

    baseline = results[0][3]
    assert isinstance(baseline, Timing), baseline
    counts = ", ".join(f"{count:,} {table}" for table, count in data.counts.items())
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {version} "
        f"(same machine); {datetime.now(UTC):%Y-%m-%d}; load average {load_before:.1f} at "
        f"the start, {os.getloadavg()[0]:.1f} at the end (the machine is shared)"
    )
    print(
        f"Data set: {data.rows:,} rows ({counts}); {size / 2**20:.0f} MB; generated in "
        f"{generated_s:.0f} s. Timed team: {len(team.specialist_emails)} specialists; "
        f"{args.runs} requests per row."
    )
    print()
    print("| request | as | median (ms) | p95 (ms) | of it in SQL (ms) | queries | vs baseline |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, role, _, timing in results:
        if isinstance(timing, str):
            print(f"| {name} | {role} | not timed ({timing}) | | | | |")
            continue
        print(
            f"| {name} | {role} | {timing.median:.1f} | {timing.p95:.1f} | {timing.sql_median:.1f} "
            f"| {timing.queries} | {timing.median / baseline.median:.1f}x |"
        )
    for title, rows in plans:
        print()
        print(f"EXPLAIN ANALYZE of {title}:")
        print()
        print("| table | scans | execution (ms) | buffers |")
        print("|---|---|---:|---:|")
        for table, scans, ms, blocks in rows:
            print(f"| {table} | {scans} | {ms:.2f} | {blocks} |")
    print()
    print("Experiment, with indexes on employer_contacts (specialist_id, contacted_at) and")
    print("meetings (specialist_id, starts_at), timed in alternating blocks (with, without, ...;")
    print(f"{EXPERIMENT_ROUNDS * (args.runs // 2)} requests each way); median ms (of it in SQL):")
    print()
    print("| request | as | without | with |")
    print("|---|---|---:|---:|")
    for key, before in without.items():
        after = indexed[key]
        print(
            f"| {key[0]} | {key[1]} | {before.median:.1f} ({before.sql_median:.1f}) "
            f"| {after.median:.1f} ({after.sql_median:.1f}) |"
        )


if __name__ == "__main__":
    main()
