"""Benchmark of the sync engine on PostgreSQL, against the plain SQL it boils down to.

Run with `make bench-sync` (or `.venv/bin/python bench/sync_bench.py`). It creates a private
database on BENCH_DATABASE_URL's server (default: postgresql://postgres@127.0.0.1:5432/postgres),
fills one specialist's scope, and times, in-process through the Flask app (server time, no
network): the initial pull, a push of 500 new employer contacts, a push of 100 edits, an
incremental pull with nothing new and one with one change. Each is timed as wall time and as
the CPU time of this process (the app's Python; PostgreSQL's own work is in the wall time
only), and also as plain SQLAlchemy Core doing the same reads or writes in one transaction;
the ratio is the engine's cost on top. Prints a Markdown table.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade
from sqlalchemy import insert, select

from api import create_app
from api.activity.models import EmployerContact, Meeting
from api.common.model import new_id
from api.employers.models import Employer
from api.entities import ENTITIES
from api.extensions import db
from api.jobs.models import JobMatch
from api.offline.setup import SYNC_ORDER
from api.participants.models import Consent, Participant
from api.plans.models import PlanStep
from api.teams.service import create_team, create_user
from tests.pgtemp import private_postgres_database

SCOPE = {
    "participants": 20,
    "employers": 300,
    "employer_contacts": 2000,
    "meetings": 800,
    "job_matches": 100,
    "plan_steps": 300,
}
EDITS = 100
PASSWORD = "benk med utsikt over fjorden"


def _median_ms(
    action: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms; `before` runs untimed."""
    walls, cpus = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        cpu, wall = time.process_time(), time.perf_counter()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def _fill(team_id: uuid.UUID, specialist_id: uuid.UUID) -> None:
    rng = random.Random(7)
    now = datetime.now(UTC)
    participants = [
        Participant(
            id=new_id(),
            team_id=team_id,
            specialist_id=specialist_id,
            first_name=f"Deltaker{n}",
            last_name="Hansen",
            enrolled_on=date(2026, 1, 1),
            status="active",
        )
        for n in range(SCOPE["participants"])
    ]
    employers = [
        Employer(id=new_id(), team_id=team_id, name=f"Bedrift {n} AS", industry="Dagligvare")
        for n in range(SCOPE["employers"])
    ]
    db.session.add_all(participants + employers)
    db.session.flush()
    rows: list[object] = [
        Consent(
            team_id=team_id,
            participant_id=p.id,
            counterpart="employers",
            granted=True,
            recorded_at=now,
        )
        for p in participants
    ]
    rows += [
        EmployerContact(
            team_id=team_id,
            specialist_id=specialist_id,
            employer_id=rng.choice(employers).id,
            participant_id=rng.choice(participants).id if n % 2 else None,
            contacted_at=now - timedelta(hours=n),
            mode="in_person",
            purpose="Presentere deltaker",
            notes="Positivt møte.",
        )
        for n in range(SCOPE["employer_contacts"])
    ]
    rows += [
        Meeting(
            team_id=team_id,
            specialist_id=specialist_id,
            participant_id=rng.choice(participants).id,
            starts_at=now - timedelta(hours=n),
            duration_minutes=60,
            setting="community",
            kind="job_search",
            status="held",
        )
        for n in range(SCOPE["meetings"])
    ]
    rows += [
        JobMatch(
            team_id=team_id,
            participant_id=rng.choice(participants).id,
            employer_id=rng.choice(employers).id,
            job_title="Butikkmedarbeider",
            status="applied",
            competitive=True,
        )
        for _ in range(SCOPE["job_matches"])
    ]
    rows += [
        PlanStep(
            team_id=team_id,
            participant_id=rng.choice(participants).id,
            title="Oppdatere CV",
            owner="participant",
        )
        for _ in range(SCOPE["plan_steps"])
    ]
    db.session.add_all(rows)
    db.session.commit()


def main() -> None:
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    with private_postgres_database(server) as url:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "c" * 40})
        with app.app_context():
            upgrade()
            team = create_team("Benk")
            user = create_user(
                {
                    "email": "bench@demo.no",
                    "name": "Benk",
                    "role": "specialist",
                    "team_id": team.id,
                    "password": PASSWORD,
                }
            )
            # A colleague in another team, whose work moves the feed but concerns no one here.
            elsewhere = create_team("Annet lag")
            create_user(
                {
                    "email": "annet@demo.no",
                    "name": "Annet lag",
                    "role": "specialist",
                    "team_id": elsewhere.id,
                    "password": PASSWORD,
                }
            )
            db.session.commit()
            team_id, specialist_id = team.id, user.id
            _fill(team_id, specialist_id)
            employer_ids = list(db.session.scalars(select(Employer.id)))
        client = app.test_client()
        token = client.post(
            "/api/v1/auth/login", json={"email": "bench@demo.no", "password": PASSWORD}
        ).json
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        def initial_pull() -> tuple[int, str]:
            cursor, count = None, 0
            while True:
                query = {"limit": 500, **({"cursor": cursor} if cursor else {})}  # as the app asks
                body = client.get("/api/v1/sync/pull", headers=headers, query_string=query).json
                count += len(body["changes"])
                cursor = body["cursor"]
                if not body["has_more"]:
                    return count, cursor

        def initial_pull_sql() -> None:
            with app.app_context(), db.engine.begin() as conn:
                for name in SYNC_ORDER:
                    table = ENTITIES[name].model.__table__
                    conn.execute(select(table).where(table.c.team_id == team_id)).all()

        def push_body() -> dict[str, object]:
            now = datetime.now(UTC).isoformat()
            return {
                "client_id": str(uuid.uuid4()),
                "schema_version": 1,
                "mutations": [
                    {
                        "mutation_id": str(uuid.uuid4()),
                        "entity": "employer_contacts",
                        "op": "upsert",
                        "id": str(new_id()),
                        "base_version": None,
                        "data": {
                            "employer_id": str(employer_ids[n % len(employer_ids)]),
                            "contacted_at": now,
                            "mode": "in_person",
                        },
                    }
                    for n in range(500)
                ],
            }

        def push_500() -> None:
            response = client.post("/api/v1/sync/push", headers=headers, json=push_body())
            assert all(r["status"] == "applied" for r in response.json["results"])

        def push_500_sql() -> None:
            table = EmployerContact.__table__
            now = datetime.now(UTC)
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(
                    insert(table),
                    [
                        {
                            "id": new_id(),
                            "team_id": team_id,
                            "specialist_id": specialist_id,
                            "employer_id": employer_ids[n % len(employer_ids)],
                            "contacted_at": now,
                            "mode": "in_person",
                            "version": 1,
                            "created_at": now,
                            "updated_at": now,
                        }
                        for n in range(500)
                    ],
                )

        rows, _ = initial_pull()
        initial = (_median_ms(initial_pull, 5), _median_ms(initial_pull_sql, 5))
        push = (_median_ms(push_500, 5), _median_ms(push_500_sql, 5))

        # Edits: 100 contacts the device holds, each at the version it holds.
        with app.app_context():
            held = {
                row.id: row.version
                for row in db.session.execute(
                    select(EmployerContact.id, EmployerContact.version).limit(EDITS)
                )
            }
        edit_round = iter(range(1_000_000))

        def push_edits() -> None:
            n = next(edit_round)
            body = {
                "client_id": str(uuid.uuid4()),
                "schema_version": 1,
                "mutations": [
                    {
                        "mutation_id": str(uuid.uuid4()),
                        "entity": "employer_contacts",
                        "op": "upsert",
                        "id": str(record_id),
                        "base_version": version,
                        "data": {"notes": f"Oppfølging {n}"},
                    }
                    for record_id, version in held.items()
                ],
            }
            response = client.post("/api/v1/sync/push", headers=headers, json=body)
            results = response.json["results"]
            assert all(r["status"] == "applied" for r in results), results[:3]
            for record_id, result in zip(list(held), results, strict=True):
                held[record_id] = result["version"]

        def push_edits_sql() -> None:
            table = EmployerContact.__table__
            with app.app_context(), db.engine.begin() as conn:
                for record_id in held:
                    conn.execute(
                        table.update()
                        .where(table.c.id == record_id)
                        .values(notes="Oppfølging", version=table.c.version + 1)
                    )

        edits = (_median_ms(push_edits, 5), _median_ms(push_edits_sql, 5))
        _, cursor = initial_pull()  # up to date, after the pushes

        def empty_pull() -> None:
            body = client.get(
                "/api/v1/sync/pull", headers=headers, query_string={"cursor": cursor}
            ).json
            assert body["changes"] == []

        def empty_pull_sql() -> None:
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(select(db.metadata.tables["sync_state"].c.seq)).all()

        empty = (_median_ms(empty_pull, 50), _median_ms(empty_pull_sql, 50))

        # One change since the cursor: an employer edited (untimed), then the pull that brings it.
        changing = {"cursor": cursor, "employer": employer_ids[0], "version": None}
        with app.app_context():
            changing["version"] = db.session.get(Employer, employer_ids[0]).version  # type: ignore[union-attr]

        def change_one() -> None:
            body = {
                "client_id": str(uuid.uuid4()),
                "schema_version": 1,
                "mutations": [
                    {
                        "mutation_id": str(uuid.uuid4()),
                        "entity": "employers",
                        "op": "upsert",
                        "id": str(changing["employer"]),
                        "base_version": changing["version"],
                        "data": {"notes": f"Ny kontaktperson {uuid.uuid4().hex[:6]}"},
                    }
                ],
            }
            [result] = client.post("/api/v1/sync/push", headers=headers, json=body).json["results"]
            assert result["status"] == "applied", result
            changing["version"] = result["version"]

        def one_change_pull() -> None:
            body = client.get(
                "/api/v1/sync/pull", headers=headers, query_string={"cursor": changing["cursor"]}
            ).json
            assert len(body["changes"]) == 1, body
            changing["cursor"] = body["cursor"]

        def one_change_pull_sql() -> None:
            table = Employer.__table__
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(select(db.metadata.tables["sync_state"].c.seq)).all()
                conn.execute(
                    select(table).where(table.c.team_id == team_id, table.c.seq > 0).limit(1)
                ).all()

        one = (
            _median_ms(one_change_pull, 50, before=change_one),
            _median_ms(one_change_pull_sql, 50),
        )

        # Another team logs a contact (untimed); the pull finds nothing of its own team.
        other = client.post(
            "/api/v1/auth/login", json={"email": "annet@demo.no", "password": PASSWORD}
        ).json
        other_headers = {"Authorization": f"Bearer {other['access_token']}"}

        def other_team_writes() -> None:
            [result] = client.post(
                "/api/v1/sync/push",
                headers=other_headers,
                json={
                    "client_id": str(uuid.uuid4()),
                    "schema_version": 1,
                    "mutations": [
                        {
                            "mutation_id": str(uuid.uuid4()),
                            "entity": "employers",
                            "op": "upsert",
                            "id": str(new_id()),
                            "base_version": None,
                            "data": {"name": f"Annet lag {uuid.uuid4().hex[:8]} AS"},
                        }
                    ],
                },
            ).json["results"]
            assert result["status"] == "applied", result

        def others_pull() -> None:
            body = client.get(
                "/api/v1/sync/pull", headers=headers, query_string={"cursor": changing["cursor"]}
            ).json
            assert body["changes"] == [], body
            changing["cursor"] = body["cursor"]

        others = (_median_ms(others_pull, 50, before=other_team_writes), empty[1])
        results = [
            (f"initial pull ({rows} rows)", *initial, 1),
            ("push of 500 new contacts", *push, 500),
            (f"push of {EDITS} edits", *edits, EDITS),
            ("incremental pull, nothing new", *empty, 1),
            ("incremental pull, one change", *one, 1),
            ("incremental pull, only another team changed", *others, 1),
        ]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
    )
    print()
    print(
        "| operation | engine wall (ms) | engine CPU (ms) | CPU per record (ms) "
        "| plain SQL wall (ms) | ratio (wall) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, (wall, cpu), (sql_wall, _), per in results:
        print(
            f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / per:.2f} | {sql_wall:.1f} "
            f"| {wall / sql_wall:.1f}x |"
        )


if __name__ == "__main__":
    main()
