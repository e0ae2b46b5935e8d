"""Migrate the empty database named on the command line, fill it with bench/national.py's
country (BENCH_LOAD_SCALE, BENCH_LOAD_SEED) and VACUUM ANALYZE it, as autovacuum would have
by the time anyone uses it. Used by bench/load/run.py to make its template database."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from flask_migrate import upgrade
from sqlalchemy import text

from api import create_app
from api.auth.service import hash_password
from api.extensions import db
from bench.national import PASSWORD, generate, scaled


def main() -> None:
    url = sys.argv[1]
    scale = float(os.environ.get("BENCH_LOAD_SCALE") or 1.0)
    seed = int(os.environ.get("BENCH_LOAD_SEED") or 1)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "JWT_SECRET_KEY": "c" * 40})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        with db.engine.begin() as conn:
            data = generate(conn, **scaled(scale), seed=seed, password_hash=hash_password(PASSWORD))
        generated = time.perf_counter() - started
        with db.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    print(
        f"{data.rows:,} rows ({', '.join(f'{n:,} {t}' for t, n in data.counts.items())}) "
        f"in {generated:.0f} s",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
