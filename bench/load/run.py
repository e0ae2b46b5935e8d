"""Load test: gunicorn on PostgreSQL with the national data set, under a mixed load from locust.

Run with `make bench` (or `.venv/bin/python bench/load/run.py`). On BENCH_DATABASE_URL's
server (default postgresql://postgres@127.0.0.1:5432/postgres) it keeps a template database
filled by bench/national.py (made once per data-set size, generator and migrations), copies it
for the run, starts `gunicorn -c gunicorn.conf.py wsgi:app` on it (rate limits off), and runs
locust headless (bench/load/locustfile.py) with, at the same time:

- specialists doing initial syncs (paged pulls until has_more is false), the morning rush;
- phones pulling incrementally from their last cursor, 500 a second in all;
- phones pushing bursts of 200 new employer contacts and meetings;
- one phone pushing 200 in the order they were logged (entities interleaved);
- supervisors reading the weekly and fidelity reports;
- GET /api/v1/auth/me, the cheapest authenticated request, as the yardstick.

Afterwards it checks that every acknowledged mutation was applied exactly once (rows and the
push idempotency log counted in the database), drops the copy, and prints Markdown tables.
Exits non-zero if the run itself failed (errors, lost or doubled records), not for missed
performance targets. BENCH_LOAD_SCALE sets the country's size (1.0 = the full national data
set, 60 teams), BENCH_LOAD_SECONDS the measured window.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, make_url, text  # noqa: E402

from api.config import normalise_database_url  # noqa: E402
from bench.load.server import gunicorn  # noqa: E402

LOCUST = ROOT / ".venv" / "bin" / "locust"
SEED = 1
# Simulated users per kind, and how often they act (seconds between tasks, or per-user rates).
USERS = {
    "IncrementalPull": 100,
    "MorningRush": 6,
    "OfflinePush": 4,
    "InterleavedPush": 1,
    "Supervisor": 4,
    "Baseline": 5,
}
TARGETS = {"pull_rate": 500.0, "pull_p99_ms": 100.0, "push_p99_ms": 300.0}
DATA_TABLES = (
    "teams",
    "users",
    "participants",
    "consents",
    "employers",
    "employer_contacts",
    "meetings",
    "job_matches",
    "week_reviews",
)
KINDS = (
    "incremental pull",
    "initial pull, one page of 500",
    "initial sync, all pages",
    "push of 200 new records",
    "push of 200, entities interleaved",
    "report: weekly, 12 weeks",
    "report: fidelity, 13 weeks",
    "auth/me (baseline)",
)


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _url(server: str, database: str) -> str:
    return make_url(normalise_database_url(server)).set(database=database).render_as_string(False)


def _admin(server: str) -> Engine:
    return create_engine(normalise_database_url(server), isolation_level="AUTOCOMMIT")


def _databases(admin: Engine, prefix: str) -> list[str]:
    with admin.connect() as conn:
        return list(
            conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": prefix + "%"},
            ).scalars()
        )


def _fingerprint(scale: float) -> str:
    """Changes when the data set would: its size, the generator, the migrations."""
    digest = hashlib.sha256(f"{scale}-{SEED}".encode())
    # The generator, and the demo's names and calendar it takes its lists from.
    for source in ("bench/national.py", "api/demo/names.py", "api/demo/team.py"):
        digest.update((ROOT / source).read_bytes())
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _template(admin: Engine, server: str, scale: float) -> str:
    """The filled template database of this size, made if missing (older ones dropped)."""
    name = f"feltlogg_load_t{round(scale * 100)}_{_fingerprint(scale)}"
    existing = _databases(admin, "feltlogg_load_t")
    if name in existing:
        log(f"data set: template database {name} exists")
        return name
    with admin.connect() as conn:
        for stale in existing:
            if "_building_" not in stale or stale.endswith(f"_{os.getpid()}"):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{stale}" WITH (FORCE)'))
    building = f"feltlogg_load_t_building_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{building}"'))
    try:
        log(f"data set: generating the national data set (scale {scale}) into {building}")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, str(Path(__file__).with_name("_fill.py")), _url(server, building)],
            check=True,
            env={**os.environ, "BENCH_LOAD_SCALE": str(scale), "BENCH_LOAD_SEED": str(SEED)},
        )
        log(f"data set: generated and vacuumed in {time.perf_counter() - started:.0f} s")
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
    except BaseException:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
        raise
    return name


def _iso_week(day: Any) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _identities(
    url: str, users: dict[str, int]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    """Who the simulated users sign in as, with what the pushers refer to."""
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as conn:
        specialists = conn.execute(
            text(
                "SELECT id, email, team_id FROM users WHERE role = 'specialist' AND is_active"
                " ORDER BY email"
            )
        ).all()
        supervisors = conn.execute(
            text("SELECT email FROM users WHERE role = 'supervisor' AND is_active ORDER BY email")
        ).all()
        employers: dict[uuid.UUID, list[str]] = {}
        for team_id, employer_id in conn.execute(
            text("SELECT team_id, id FROM employers WHERE deleted_at IS NULL")
        ):
            employers.setdefault(team_id, []).append(str(employer_id))
        caseload: dict[uuid.UUID, list[str]] = {}
        for specialist_id, participant_id in conn.execute(
            text(
                "SELECT specialist_id, id FROM participants"
                " WHERE deleted_at IS NULL AND closed_on IS NULL"
            )
        ):
            caseload.setdefault(specialist_id, []).append(str(participant_id))
        counts = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("employer_contacts", "meetings", "sync_mutations")
        }
        total = sum(
            conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
            for table in DATA_TABLES
        )
    engine.dispose()
    # Spread each kind over the teams: specialists in email order are grouped by team, so
    # take every k-th one for each kind in turn.
    pushers = [s for s in specialists if caseload.get(s.id) and employers.get(s.team_id)]
    kinds = ("push", "initial", "baseline", "incremental")
    wanted = {
        "push": users["OfflinePush"] + users["InterleavedPush"],
        "initial": users["MorningRush"],
        "baseline": users["Baseline"],
    }
    ordered = sorted(pushers, key=lambda s: hashlib.sha256(s.email.encode()).hexdigest())
    taken: dict[str, list[Any]] = {kind: [] for kind in kinds}
    rest = list(ordered)
    for kind in ("push", "initial", "baseline"):
        taken[kind], rest = rest[: wanted[kind]], rest[wanted[kind] :]
    others = [s for s in specialists if s not in ordered]
    taken["incremental"] = (rest + others) or ordered
    identities: dict[str, list[dict[str, Any]]] = {
        kind: [
            {
                "email": s.email,
                "employers": employers.get(s.team_id, []),
                "participants": caseload.get(s.id, []),
            }
            for s in people
        ]
        for kind, people in taken.items()
    }
    identities["supervisor"] = [{"email": s.email} for s in supervisors]
    return identities, {"counts": counts, "rows": int(total or 0)}


def _exactly_once(url: str, results: dict[str, Any], before: dict[str, int]) -> dict[str, Any]:
    """Every mutation sent was applied at most once, every acknowledged one exactly once, and
    nothing else was written: records and the push idempotency log (sync_mutations) counted
    in the database against the ids the simulated phones sent and what the server answered."""
    engine = create_engine(normalise_database_url(url))
    sent: dict[str, list[str]] = results["sent"]
    acked = set(results["acked_mutations"])
    check: dict[str, Any] = {
        "sent": len(sent),
        "acknowledged": len(results["acked_mutations"]),
        "acknowledged_twice": len(results["acked_mutations"]) - len(acked),
        "never_acknowledged": len(set(sent) - acked),
        "rejected_for_good": len(results["rejected"]),
    }
    ok = check["acknowledged_twice"] == 0 and acked <= set(sent)
    with engine.connect() as conn:
        for table in ("employer_contacts", "meetings"):
            sent_ids = [uuid.UUID(r) for m, (e, r) in sent.items() if e == table]
            acked_ids = [uuid.UUID(sent[m][1]) for m in acked if sent[m][0] == table]
            found_sent = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE id = ANY(:ids)"), {"ids": sent_ids}
            ).scalar()
            found_acked = conn.execute(
                text(f"SELECT count(*) FROM {table} WHERE id = ANY(:ids)"), {"ids": acked_ids}
            ).scalar()
            after = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            check[table] = {
                "sent": len(sent_ids),
                "acknowledged": len(acked_ids),
                "rows_for_sent": found_sent,
                "rows_for_acknowledged": found_acked,
                "new_rows": int(after or 0) - before[table],
            }
            c = check[table]
            ok = ok and c["rows_for_acknowledged"] == c["acknowledged"]
            ok = ok and c["new_rows"] == c["rows_for_sent"] <= c["sent"]
        logged = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT mutation_id) FROM sync_mutations"
                " WHERE client_id = ANY(:clients)"
            ),
            {"clients": [uuid.UUID(c) for c in results["client_ids"]]},
        ).one()
        logged_acked = conn.execute(
            text("SELECT count(*) FROM sync_mutations WHERE mutation_id = ANY(:ids)"),
            {"ids": [uuid.UUID(m) for m in acked]},
        ).scalar()
        after_log = conn.execute(text("SELECT count(*) FROM sync_mutations")).scalar()
    engine.dispose()
    check["sync_mutations"] = {
        "rows_for_the_clients": logged[0],
        "distinct_mutation_ids": logged[1],
        "rows_for_acknowledged": logged_acked,
        "new_rows": int(after_log or 0) - before["sync_mutations"],
    }
    log_check = check["sync_mutations"]
    rows_for_sent = sum(check[t]["rows_for_sent"] for t in ("employer_contacts", "meetings"))
    ok = ok and log_check["rows_for_acknowledged"] == len(acked)
    ok = ok and (
        log_check["rows_for_the_clients"]
        == log_check["distinct_mutation_ids"]
        == log_check["new_rows"]
        == rows_for_sent
    )
    ok = ok and not check["never_acknowledged"] and not check["rejected_for_good"]
    check["ok"] = ok
    return check


def _percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _table(results: dict[str, Any]) -> tuple[list[str], dict[str, dict[str, float]]]:
    seconds = results["window"]["end"] - results["window"]["start"]
    lines = [
        "| request kind | requests | per second | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) "
        "| errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    stats: dict[str, dict[str, float]] = {}
    names = [k for k in KINDS if k in results["latencies"]]
    names += sorted(set(results["latencies"]) - set(KINDS))
    for name in names:
        values = results["latencies"][name]
        if not values:
            continue
        row = {
            "count": len(values),
            "rate": len(values) / seconds,
            "p50": _percentile(values, 0.50),
            "p95": _percentile(values, 0.95),
            "p99": _percentile(values, 0.99),
            "max": max(values),
            "errors": results["errors"].get(name, 0),
        }
        stats[name] = row
        lines.append(
            f"| {name} | {row['count']:,} | {row['rate']:.1f} | {row['p50']:.1f} "
            f"| {row['p95']:.1f} | {row['p99']:.1f} | {row['max']:.0f} | {row['errors']} |"
        )
    return lines, stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_LOAD_SCALE") or 1.0),
        help="teams as a share of the national 60 (env BENCH_LOAD_SCALE; default 1.0)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_LOAD_SECONDS") or 120),
        help="the measured window (env BENCH_LOAD_SECONDS; default 120)",
    )
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds before measuring")
    parser.add_argument(
        "--pull-rate",
        type=float,
        default=TARGETS["pull_rate"],
        help="incremental pulls per second offered, in all",
    )
    parser.add_argument(
        "--users",
        default="",
        help="simulated users per kind, e.g. MorningRush=0,IncrementalPull=50 (default: "
        + ", ".join(f"{k}={v}" for k, v in USERS.items())
        + ")",
    )
    parser.add_argument("--workers", type=int, help="GUNICORN_WORKERS for the server")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS for the server")
    parser.add_argument(
        "--gunicorn-args",
        default="",
        help="more gunicorn options, passed as GUNICORN_CMD_ARGS (they override "
        "gunicorn.conf.py), e.g. '--worker-class sync' (use --workers and --threads for those)",
    )
    parser.add_argument("--keep-database", action="store_true", help="keep the run's copy")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    admin = _admin(server)
    template = _template(admin, server, args.scale)
    database = f"feltlogg_load_run_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
    url = _url(server, database)
    work = Path(tempfile.mkdtemp(prefix="feltlogg-load-"))
    try:
        return _run(args, server, url, database, work)
    finally:
        if args.keep_database:
            log(f"kept the run's database: {url}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


def _run(args: argparse.Namespace, server: str, url: str, database: str, work: Path) -> int:
    today = datetime.now(ZoneInfo("Europe/Oslo")).date()
    monday = today - timedelta(days=today.weekday())
    sunday = monday - timedelta(days=1)
    users = dict(USERS)
    for item in filter(None, args.users.split(",")):
        kind, _, count = item.partition("=")
        if kind.strip() not in users:
            raise SystemExit(f"unknown kind of user {kind!r}: one of {', '.join(users)}")
        users[kind.strip()] = int(count)
    identities, before = _identities(url, users)
    rate_per_user = args.pull_rate / max(1, users["IncrementalPull"])
    plan_path, results_path = work / "plan.json", work / "results.json"
    plan = {
        "password": "bench1234",
        "identities": identities,
        "users": users,
        "pull_rate_per_user": rate_per_user,
        "baseline_rate_per_user": 5.0,
        "initial_wait": [2, 6],
        "push_wait": [2, 5],
        "interleaved_wait": [8, 12],
        "supervisor_wait": [2, 5],
        "weekly": {"from": _iso_week(monday - timedelta(weeks=11)), "to": _iso_week(monday)},
        "fidelity": {"from": str(sunday - timedelta(weeks=13, days=-1)), "to": str(sunday)},
        "seconds": args.seconds,
        "warmup_seconds": args.warmup,
        "setup_timeout": 600,
        "database": database,
        "results": str(results_path),
    }
    total_users = sum(users.values())
    server_log = work / "gunicorn.log"
    log(f"server: gunicorn on {database} (log {server_log})")
    workers = args.workers or int(os.environ.get("GUNICORN_WORKERS") or (os.cpu_count() or 1) + 1)
    extra = {"GUNICORN_CMD_ARGS": args.gunicorn_args} if args.gunicorn_args else {}
    with gunicorn(url, server_log, workers=workers, threads=args.threads, extra_env=extra) as app:
        threads = args.threads or int(os.environ.get("GUNICORN_THREADS") or 4)
        plan["gunicorn_pid"] = app.pid
        plan_path.write_text(json.dumps(plan))
        log(
            f"load: {total_users} users ({', '.join(f'{k} {v}' for k, v in users.items())}); "
            f"sign-in and warm-up, then {args.seconds:.0f} s measured"
        )
        locust_log = work / "locust.log"
        with open(locust_log, "wb") as out:
            locust = subprocess.run(
                [
                    str(LOCUST),
                    "-f",
                    str(Path(__file__).with_name("locustfile.py")),
                    "--headless",
                    "--only-summary",
                    "--host",
                    app.url,
                    "-u",
                    str(total_users),
                    "-r",
                    "20",
                    "--run-time",
                    f"{int(plan['setup_timeout'] + args.warmup + args.seconds + 180)}s",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**os.environ, "LOAD_PLAN": str(plan_path)},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=plan["setup_timeout"] + args.warmup + args.seconds + 600,
                check=False,
            )
        server_text = app.log_text()
    if not results_path.exists():
        log(f"locust wrote no results (exit {locust.returncode}); its log:")
        print(locust_log.read_text(errors="replace")[-5000:], file=sys.stderr)
        return 1
    results = json.loads(results_path.read_text())
    if not results["window"]:
        log(f"setup failed: {results['setup_errors']}")
        return 1
    check = _exactly_once(url, results, before["counts"])
    lines, stats = _table(results)
    tracebacks = server_text.count("Traceback")
    if args.json:
        args.json.write_text(json.dumps({"stats": stats, "check": check, "cpu": results["cpu"]}))

    cpu = results["cpu"]
    ours = cpu["load_generator"] + cpu["gunicorn"] + cpu["postgres"]
    total_rate = sum(
        row["rate"] for name, row in stats.items() if name != "initial sync, all pages"
    )
    pull = stats.get("incremental pull", {})
    push = stats.get("push of 200 new records", {})
    baseline = stats.get("auth/me (baseline)", {})
    errors = sum(results["errors"].values())
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d}."
    )
    print(
        f"Data set: national, scale {args.scale} ({before['rows']:,} rows); server: gunicorn "
        f"{workers} workers x {threads} threads (gthread)"
        f"{f' with {args.gunicorn_args!r}' if args.gunicorn_args else ''}, rate limits off; "
        f"{total_users} "
        f"simulated users, {args.seconds:.0f} s measured after {results['setup_seconds']:.0f} s "
        f"of sign-in and {args.warmup:.0f} s of warm-up; incremental pulls offered at "
        f"{args.pull_rate:.0f}/s ({users['IncrementalPull']} phones)."
    )
    print()
    print("\n".join(lines))
    print()
    if pull and baseline:
        print(
            f"Incremental pull / auth/me: {pull['p50'] / baseline['p50']:.1f}x at p50, "
            f"{pull['p99'] / baseline['p99']:.1f}x at p99."
        )
    print(
        f"CPU, average cores busy in the window (of {cpu['cores']:.0f}): load generator "
        f"{cpu['load_generator']:.2f}, gunicorn {cpu['gunicorn']:.2f}, PostgreSQL backends "
        f"{cpu['postgres']:.2f}, everything else on the machine "
        f"{max(0.0, cpu['machine'] - ours):.2f}"
        f" (whole machine {cpu['machine']:.2f}); gunicorn's workers "
        f"{', '.join(f'{c:.2f}' for c in cpu.get('per_worker', []))}; load average at the end "
        f"{cpu['load_average_end']:.1f}. The load generator spent "
        f"{cpu['load_generator'] * 1000 / max(total_rate, 1e-9):.2f} ms of CPU per request "
        f"({total_rate:.0f} requests/s)."
    )
    print()
    print("| target | measured | met |")
    print("|---|---|---|")
    rows = [
        (
            f"{TARGETS['pull_rate']:.0f} incremental pulls/s",
            f"{pull.get('rate', 0):.0f}/s",
            pull.get("rate", 0) >= TARGETS["pull_rate"] * 0.98,
        ),
        (
            f"incremental pull p99 < {TARGETS['pull_p99_ms']:.0f} ms",
            f"{pull.get('p99', float('nan')):.0f} ms",
            pull.get("p99", math.inf) < TARGETS["pull_p99_ms"],
        ),
        (
            f"push of 200 p99 < {TARGETS['push_p99_ms']:.0f} ms",
            f"{push.get('p99', float('nan')):.0f} ms",
            push.get("p99", math.inf) < TARGETS["push_p99_ms"],
        ),
        ("no errors", f"{errors} failed requests, {tracebacks} server tracebacks", not errors),
        (
            "every mutation applied exactly once",
            f"{check['sent']:,} sent, {check['acknowledged']:,} acknowledged; "
            f"{check['employer_contacts']['new_rows']:,} new contacts + "
            f"{check['meetings']['new_rows']:,} new meetings, "
            f"{check['sync_mutations']['new_rows']:,} new rows in sync_mutations",
            check["ok"],
        ),
    ]
    for name, measured, met in rows:
        print(f"| {name} | {measured} | {'yes' if met else 'no'} |")
    if results["error_samples"]:
        print()
        print("Failed requests in the window (first ones):")
        for sample in results["error_samples"]:
            print(f"- {sample}")
    if results["outside_errors"]:
        print()
        print("Failed requests before the window, during sign-in and warm-up (first ones):")
        for sample in results["outside_errors"][:10]:
            print(f"- {sample}")
    print()
    print(f"Push results: {results['statuses']}; exactly-once check: {json.dumps(check)}")
    return 0 if check["ok"] and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
