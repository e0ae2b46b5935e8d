"""Benchmark of the nightly purges on a national data set, on PostgreSQL.

Run with `make bench-purge` (or `.venv/bin/python bench/purge_bench.py [--scale 0.1]`). It
creates a private database on BENCH_DATABASE_URL's server (default:
postgresql://postgres@127.0.0.1:5432/postgres), migrates it, fills it with bench/national.py's
country, and adds a year of what the purges remove: tombstones (a share of the employers,
participants, employer contacts, meetings and job matches deleted over the last year), a log
row per pushed contact and meeting, every sign-in's refresh tokens, and audit entries over six
years. Then it times, each in a transaction that is rolled back, so that every variant sees the
same rows:

- the tombstone purge as it was (`NOT IN (subquery)`) and as it is (`NOT EXISTS`), in
  alternating order, on the first night (everything older than the horizon) and on the night
  after (what is left: old tombstones still referred to, which are looked at every night), at
  the server's work_mem and at a smaller one (`--small-work-mem`), under which NOT IN can no
  longer hash its lists of ids, as happens at the server's own setting once a country is
  larger; and how long a list NOT IN still hashes at the server's setting;
- the other purges (mutation log, sign-ins, audit log, the scheduler's history) on the first
  night and on the night after.

Prints Markdown for docs/performance.md."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import delete, func, select, text, update

from api import create_app
from api.auth.service import hash_password
from api.extensions import db
from api.offline.setup import feed
from api.scheduler.jobs import (
    purge_history,
    purge_old_audit_entries,
    purge_old_mutations,
    purge_sign_ins,
)
from bench.national import PASSWORD, generate, scaled
from sync.feed import AnySession, ChangeFeed
from sync.purge import _referencing, purge_tombstones, tombstone_condition
from tests.pgtemp import private_postgres_database

HORIZON_DAYS = 180  # SYNC_TOMBSTONE_DAYS' default
# Per thousand rows of each table, how many were deleted in the last year.
DELETED_PER_MILLE = {
    "employers": 100,
    "participants": 50,
    "employer_contacts": 100,
    "meetings": 100,
    "job_matches": 50,
}
AUDIT_ROWS_PER_TEAM = 25_000  # over six years: 1.5 million for the whole country
STATEMENT_TIMEOUT = "900s"  # a variant that takes longer is reported as such


def purge_tombstones_not_in(session: AnySession, feed: ChangeFeed, deleted_before: datetime) -> int:
    """The purge as sync/purge.py had it, with `id NOT IN (SELECT column ...)`, for comparison."""
    removed = 0
    newest_removed = 0
    for model in sorted(feed.models, key=lambda m: m.__tablename__):
        condition = [model.deleted_at < deleted_before]
        for column in _referencing(model):
            condition.append(
                model.id.not_in(select(column).where(column.is_not(None)).scalar_subquery())
            )
        top = session.execute(select(func.max(model.seq)).where(*condition)).scalar()
        if top is None:
            continue
        result = session.execute(delete(model.__table__).where(*condition))
        removed += int(getattr(result, "rowcount", 0) or 0)
        newest_removed = max(newest_removed, int(top))
    _, purged = feed.high_water(session)
    if newest_removed > purged:
        session.execute(
            update(feed.state).where(feed.state.c.id == 1).values(purged_seq=newest_removed)
        )
        session.execute(delete(feed.evictions).where(feed.evictions.c.seq <= newest_removed))
    return removed


def _history(conn: Any, now: datetime, teams: int) -> dict[str, int]:
    """What a year of use leaves for the purges, made in SQL from the generated rows. Every
    choice is a hash of a row's id, so the same data set gives the same history."""
    params = {"now": now}
    for table, per_mille in DELETED_PER_MILLE.items():
        conn.execute(
            text(
                f"UPDATE {table} SET deleted_at = :now - (abs(hashtext('d' || id::text)) % 365)"
                f" * interval '1 day' WHERE abs(hashtext(id::text)) % 1000 < {per_mille}"
            ),
            params,
        )
    # The app's client ids: one phone per specialist. One log row per contact and meeting.
    for table in ("employer_contacts", "meetings"):
        conn.execute(
            text(
                "INSERT INTO sync_mutations (client_id, mutation_id, user_id, result, created_at)"
                f" SELECT md5('c' || specialist_id::text)::uuid, md5('m' || id::text)::uuid,"
                " specialist_id, json_build_object('mutation_id', md5('m' || id::text)::uuid,"
                f" 'status', 'applied', 'version', 1), created_at FROM {table}"
            )
        )
    # Every user but the admin signs in on one phone a month (a new token family) and the app
    # refreshes four times a working day; each refresh token is used by the next one.
    conn.execute(
        text(
            "INSERT INTO token_families (id, user_id, created_at)"
            " SELECT md5('f' || u.id::text || m)::uuid, u.id, :now - (m + 1) * interval '30 days'"
            " FROM users u, generate_series(0, 12) AS m WHERE u.role <> 'admin'"
        ),
        params,
    )
    conn.execute(
        text(
            "INSERT INTO refresh_tokens (jti, family_id, expires_at, used_at)"
            " SELECT md5(f.id::text || '/' || d || '/' || h), f.id,"
            "  issued + interval '30 days',"
            "  CASE WHEN issued + interval '2 hours' < :now THEN issued + interval '2 hours' END"
            " FROM token_families f, generate_series(0, 29) AS d,"
            "  unnest(ARRAY[8, 10, 12, 14]) AS h,"
            "  LATERAL (SELECT f.created_at + d * interval '1 day' + h * interval '1 hour')"
            "  AS t(issued)"
            " WHERE extract(isodow FROM issued) < 6 AND issued < :now"
        ),
        params,
    )
    audit_rows = AUDIT_ROWS_PER_TEAM * teams
    conn.execute(
        text(
            "INSERT INTO audit_log (id, at, request_id, actor_id, actor_role, action, entity,"
            " record_id, record_count, participant_id, reason, endpoint)"
            " SELECT md5('a' || g)::uuid,"
            "  :now - ((g::bigint * 7919) % (6 * 365 * 1440)) * interval '1 minute',"
            "  md5('r' || g / 4)::uuid, md5('u' || g % 500)::uuid, 'specialist', 'read',"
            "  'meetings', NULL, 1 + g % 5, md5('p' || g % 9000)::uuid, 'own_caseload',"
            "  'sync.pull_route'"
            " FROM generate_series(1, :rows) AS g"
        ),
        {**params, "rows": audit_rows},
    )
    counts = {}
    for table in ("sync_mutations", "token_families", "refresh_tokens", "audit_log"):
        counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    tombstones = 0
    for table in DELETED_PER_MILLE:
        tombstones += conn.execute(
            text(f"SELECT count(*) FROM {table} WHERE deleted_at IS NOT NULL")
        ).scalar()
    counts["tombstones"] = tombstones
    return counts


def _rolled_back(
    app: Flask, run: Callable[[], Any], work_mem: str | None = None
) -> tuple[float, Any]:
    """(seconds, result) of `run` in a transaction of its own, rolled back afterwards."""
    with app.app_context():
        db.session.execute(text(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'"))
        if work_mem:
            db.session.execute(text(f"SET LOCAL work_mem = '{work_mem}'"))
        start = time.perf_counter()
        try:
            result = run()
        except Exception as error:  # the timeout: reported, not fatal
            result = f"{type(error).__name__}"
        elapsed = time.perf_counter() - start
        db.session.rollback()
    return elapsed, result


def _compare_tombstone_purges(
    app: Flask, before: datetime, rounds: int, work_mem: str | None = None
) -> tuple[list[float], list[float], int]:
    """Both purges, alternating which goes first; (NOT IN times, NOT EXISTS times, rows)."""
    times: dict[str, list[float]] = {"not in": [], "not exists": []}
    removed: dict[str, set[Any]] = {"not in": set(), "not exists": set()}
    variants = {
        "not in": lambda: purge_tombstones_not_in(db.session, feed, before),
        "not exists": lambda: purge_tombstones(db.session, feed, before),
    }
    order = list(variants)
    for n in range(rounds):
        for name in order if n % 2 == 0 else reversed(order):
            elapsed, result = _rolled_back(app, variants[name], work_mem)
            times[name].append(elapsed)
            if isinstance(result, int):  # else it ran out of time
                removed[name].add(result)
    # Both remove the same rows, every time.
    assert removed["not in"] <= removed["not exists"], removed
    [rows] = removed["not exists"]
    return times["not in"], times["not exists"], rows


def _shape(plan: str) -> str:
    """What decides the cost in an EXPLAIN: NOT IN's subplans, hashed (one pass over the other
    table, while its ids fit in work_mem) or not (the other table's ids scanned again for every
    candidate row); NOT EXISTS's anti-joins."""
    parts = []
    hashed, plain = plan.count("(hashed SubPlan"), plan.count("(SubPlan")
    if hashed:
        parts.append(f"{hashed} hashed SubPlan{'s' if hashed > 1 else ''}")
    if plain:
        parts.append(f"{plain} SubPlan{'s' if plain > 1 else ''} per row")
    for join in ("Hash Anti Join", "Merge Anti Join", "Nested Loop Anti Join"):
        if found := plan.count(join):
            parts.append(f"{found} {join}{'s' if found > 1 else ''}")
    return ", ".join(parts) or "(none)"


def _explain(statement: Any) -> str:
    compiled = statement.compile(dialect=db.engine.dialect)
    connection = db.session.connection()
    lines = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars().all()
    return "\n".join(lines)


def _hashing_limit(app: Flask) -> tuple[str, int, int]:
    """The largest list of ids NOT IN still hashes at the server's work_mem: the referencing
    column with the most ids, and the smallest work_mem (kB, to 1 %) at which its subplan is
    hashed; (column, its ids, that work_mem)."""
    with app.app_context():
        columns = [c for model in feed.models for c in _referencing(model)]
        sizes = {
            c: db.session.scalar(select(func.count()).select_from(c.table).where(c.is_not(None)))
            for c in columns
        }
        column = max(sizes, key=lambda c: sizes[c])
        target = next(iter(column.foreign_keys)).column.table
        model = next(m for m in feed.models if m.__table__ is target)
        low, high = 64, 64 * 1024  # kB: not hashed at low, hashed at high
        statement = select(func.count()).where(
            model.id.not_in(select(column).where(column.is_not(None)).scalar_subquery())
        )
        while high - low > max(1, high // 100):
            middle = (low + high) // 2
            db.session.execute(text(f"SET LOCAL work_mem = '{middle}kB'"))
            if "hashed SubPlan" in _explain(statement):
                high = middle
            else:
                low = middle
        db.session.rollback()
    return f"{column.table.name}.{column.name}", sizes[column], high


def _plans(app: Flask, before: datetime, work_mem: str) -> list[tuple[str, str, str]]:
    """The plan nodes that decide each variant's cost, per table that others refer to."""
    rows = []
    with app.app_context():
        db.session.execute(text(f"SET LOCAL work_mem = '{work_mem}'"))
        for model in sorted(feed.models, key=lambda m: m.__tablename__):
            columns = _referencing(model)
            if not columns:
                continue
            not_in = [model.deleted_at < before] + [
                model.id.not_in(select(c).where(c.is_not(None)).scalar_subquery()) for c in columns
            ]
            shapes = []
            for condition in (not_in, tombstone_condition(model, before)):
                shapes.append(_shape(_explain(select(func.max(model.seq)).where(*condition))))
            rows.append((model.__tablename__, shapes[0], shapes[1]))
        db.session.rollback()
    return rows


NIGHTLY = (
    ("mutation log (`sync_mutations`)", purge_old_mutations),
    ("sign-ins (`refresh_tokens`, `token_families`)", purge_sign_ins),
    ("audit log", purge_old_audit_entries),
    ("scheduler history (`notifications`, `job_runs`)", purge_history),
)


def _nightly(app: Flask, night: datetime, rounds: int) -> list[tuple[str, float, str]]:
    rows = []
    for label, job in NIGHTLY:
        timings, detail = [], ""
        for _ in range(rounds):
            elapsed, detail = _rolled_back(app, lambda job=job: job(night))
            timings.append(elapsed)
        rows.append((label, statistics.median(timings), str(detail)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="teams, as a share of 60")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per variant")
    parser.add_argument(
        "--weeks", type=int, default=52, help="weeks of field work (104: two years of use)"
    )
    parser.add_argument(
        "--small-work-mem",
        default="1MB",
        help="also time the purges with this work_mem: where NOT IN no longer hashes its lists",
    )
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    now = datetime.now(UTC)
    with private_postgres_database(server) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "c" * 40})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            size = scaled(args.scale)
            with db.engine.begin() as conn:
                data = generate(
                    conn,
                    **size,
                    weeks=args.weeks,
                    password_hash=hash_password(PASSWORD),
                    now=now,
                )
                history = _history(conn, now, size["teams"])
            generated_s = time.perf_counter() - start
            with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
                megabytes = (
                    conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
                    / 2**20
                )
                version = conn.execute(text("SHOW server_version")).scalar()
                work_mem = conn.execute(text("SHOW work_mem")).scalar()
                hash_mem = conn.execute(text("SHOW hash_mem_multiplier")).scalar()
        print(f"Generated in {generated_s:.0f} s; {megabytes:.0f} MB", file=sys.stderr)

        before = now - timedelta(days=HORIZON_DAYS)
        tomorrow = now + timedelta(days=1)
        limit = _hashing_limit(app)
        plans = {mem: _plans(app, before, mem) for mem in (work_mem, args.small_work_mem)}
        first = {
            mem: _compare_tombstone_purges(app, before, args.rounds, mem)
            for mem in (work_mem, args.small_work_mem)
        }
        print("Timed the first night's tombstone purges", file=sys.stderr)
        nightly_first = _nightly(app, now, args.rounds)
        # The first night, for real; then the night after.
        with app.app_context():
            purge_tombstones(db.session, feed, before)
            for _, job in NIGHTLY:
                job(now)
            db.session.commit()
            with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text("VACUUM ANALYZE"))
            referred = sum(
                db.session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(model.deleted_at < tomorrow - timedelta(days=HORIZON_DAYS))
                )
                for model in feed.models
            )
        after = {
            mem: _compare_tombstone_purges(
                app, tomorrow - timedelta(days=HORIZON_DAYS), args.rounds, mem
            )
            for mem in (work_mem, args.small_work_mem)
        }
        nightly_after = _nightly(app, tomorrow, args.rounds)

    counts = ", ".join(f"{count:,} {table}" for table, count in data.counts.items())
    added = ", ".join(f"{count:,} {table}" for table, count in history.items())
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {version} "
        f"(same machine, work_mem {work_mem}, hash_mem_multiplier {hash_mem}); "
        f"{datetime.now(UTC):%Y-%m-%d}; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end (the machine is shared)"
    )
    print(
        f"Data set: {data.rows:,} rows ({counts}); added for the purges: {added}; "
        f"{megabytes:.0f} MB; {args.weeks} weeks of field work. {args.rounds} timed runs per "
        "variant, alternating, each rolled back."
    )
    column, ids, kilobytes = limit
    print(
        f"NOT IN hashes the {ids:,} ids of {column} (the longest list) from work_mem "
        f"{kilobytes} kB on: at work_mem {work_mem} it stays hashed up to about "
        f"{ids * _kilobytes(work_mem) // kilobytes:,} ids."
    )
    print()
    print("| tombstone purge | work_mem | rows removed | NOT IN (s) | NOT EXISTS (s) | ratio |")
    print("|---|---|---:|---:|---:|---:|")
    for label, runs in (
        ("first night", first),
        (f"the night after ({referred:,} old tombstones still referred to)", after),
    ):
        for mem, (slow, fast, rows) in runs.items():
            slow_median, fast_median = statistics.median(slow), statistics.median(fast)
            print(
                f"| {label} | {mem} | {rows:,} "
                f"| {slow_median:.2f} ({min(slow):.2f} to {max(slow):.2f}) "
                f"| {fast_median:.2f} ({min(fast):.2f} to {max(fast):.2f}) "
                f"| {slow_median / fast_median:.1f}x |"
            )
    for mem, rows in plans.items():
        print()
        print(f"Plans at work_mem {mem} (EXPLAIN of the purge's look at each table that others")
        print("refer to):")
        print()
        print("| table | NOT IN | NOT EXISTS |")
        print("|---|---|---|")
        for table, slow_plan, fast_plan in rows:
            print(f"| {table} | {slow_plan} | {fast_plan} |")
    print()
    print("| nightly purge | first night (s) | what it removed | the night after (s) | removed |")
    print("|---|---:|---|---:|---|")
    for (label, first_s, first_detail), (_, after_s, after_detail) in zip(
        nightly_first, nightly_after, strict=True
    ):
        print(f"| {label} | {first_s:.2f} | {first_detail} | {after_s:.2f} | {after_detail} |")


def _kilobytes(setting: str) -> int:
    number, unit = int(setting.rstrip("kMGB")), setting.lstrip("0123456789")
    return number * {"kB": 1, "MB": 1024, "GB": 1024 * 1024}[unit]


if __name__ == "__main__":
    main()
