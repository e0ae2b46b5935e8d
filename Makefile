# Feltlogg: `make run` to serve the app on http://localhost:5000, `make test` for the whole suite.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install lint typecheck pytest migrate seed pwa pwa-check openapi clean bench-sync bench-reports \
	bench bench-faults audit bench-purge bench-metrics bench-browser

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed-bench: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) ips seed-demo --if-empty

pwa/node_modules/.installed: pwa/package.json pwa/package-lock.json
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' || \
		{ echo "The field app needs Node.js 22 or newer; this is $$(node --version)." >&2; exit 1; }
	cd pwa && npm ci --no-audit --no-fund
	touch $@

# The field app's bundle in pwa/dist, which Flask serves at /: built again only when a source
# changed, so that a second `make run` starts in seconds.
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html \
	pwa/vite.config.ts pwa/tsconfig.json pwa/package-lock.json
pwa/dist/index.html: pwa/node_modules/.installed $(PWA_SOURCES)
	cd pwa && npm run build
	touch $@

pwa: pwa/dist/index.html

# The app's own checks: types (tsc --noEmit), unit tests (Vitest), and the build.
pwa-check: pwa/node_modules/.installed
	cd pwa && npm run typecheck && npm test && npm run build

# After an API change: the OpenAPI copy the app is typed against, the types, and the app's
# entities, record types and IndexedDB versions from the entity declarations
# (pwa/src/entities.gen.ts; a changed declaration appends a version to entities.history.json).
openapi: install pwa/node_modules/.installed
	$(FLASK) openapi write -f json pwa/openapi.json
	$(FLASK) ips app-entities
	cd pwa && npm run types

# The web server, and the scheduler (reminders, nightly purge) beside it until the server stops.
run: seed pwa
	$(FLASK) ips scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check api sync tests bench
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# Known vulnerabilities in the installed Python packages (pip-audit, against PyPI's advisory
# data; the project itself is skipped) and in the field app's packages, build tools included
# (npm audit, against the npm registry's). It fails on a vulnerability, and also when a package
# could not be checked or the advisory service did not answer: an audit that did not happen
# is not a pass. See docs/security.md.
audit: install pwa/node_modules/.installed
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off
	cd pwa && npm audit --audit-level=high

# The suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set: the two at once
# (one core each; the SQLite run's output follows the PostgreSQL run's), then the browser tests
# (tests/e2e) on their own, on PostgreSQL when there is one.
pytest: install
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite on SQLite and on PostgreSQL ($$TEST_DATABASE_URL) at once"; \
		log=$$(mktemp); \
		env -u TEST_DATABASE_URL $(BIN)/pytest --ignore=tests/e2e > $$log 2>&1 & sqlite=$$!; \
		$(BIN)/pytest --ignore=tests/e2e; postgres=$$?; \
		wait $$sqlite; on_sqlite=$$?; \
		echo "== the suite on SQLite"; cat $$log; rm -f $$log; \
		[ $$on_sqlite -eq 0 ] && [ $$postgres -eq 0 ] || exit 1; \
		echo "== the browser tests, on PostgreSQL"; \
		$(BIN)/pytest tests/e2e; \
	else echo "TEST_DATABASE_URL is not set: SQLite only"; $(BIN)/pytest; fi

test: lint typecheck pwa-check pytest

# Sync engine benchmark on PostgreSQL (BENCH_DATABASE_URL names the server); prints a table.
bench-sync: install
	$(BIN)/python bench/sync_bench.py

# Report endpoints on a generated national data set (bench/national.py), on PostgreSQL
# (BENCH_DATABASE_URL names the server); prints tables for docs/performance.md.
bench-reports: install
	$(BIN)/python bench/reports_bench.py

# The nightly purges on the national data set with a year of tombstones, sign-ins, pushed
# changes and six years of audit entries, on PostgreSQL (BENCH_DATABASE_URL names the server);
# the tombstone purge as NOT IN and as NOT EXISTS. Prints tables for docs/performance.md.
bench-purge: install
	$(BIN)/python bench/purge_bench.py

# Load test: gunicorn on the national data set (made once into a template database on
# BENCH_DATABASE_URL's server), mixed load from locust; prints a table. BENCH_LOAD_SCALE sizes
# the country (1 = national, the default), BENCH_LOAD_SECONDS the measured window (120).
bench: install $(VENV)/.installed-bench
	$(BIN)/python bench/load/run.py

# A /metrics scrape with 500 ended gunicorn workers' files left behind, and after they are
# folded into the archive files as gunicorn's master now does; prints a table.
bench-metrics: install
	$(BIN)/python bench/metrics_bench.py

# The field app's sync in Chromium (pwa/dist, gunicorn on PostgreSQL: BENCH_DATABASE_URL names
# the server) against the browser's own floor in the same run; prints a table.
bench-browser: install pwa
	$(BIN)/python bench/browser_bench.py

# Fault scripts, each on a throwaway PostgreSQL cluster of its own: database restart during
# pushes, a worker killed mid-request, the network cut during pulls, a batch pushed twice at once.
bench-faults: install
	$(BIN)/python bench/faults/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
