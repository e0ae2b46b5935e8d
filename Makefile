# Feltlogg: `make run` to serve the app on http://localhost:5000, `make test` for the whole suite.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install lint typecheck pytest migrate seed pwa clean bench-sync

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) ips seed-demo --if-empty

pwa:
	@if [ -f pwa/package.json ]; then cd pwa && npm ci --no-audit --no-fund && npm run build; \
	else echo "pwa: no package.json yet, serving the placeholder page"; fi

run: seed pwa
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check api sync tests bench

typecheck: install
	$(BIN)/mypy

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
pytest: install
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/pytest; \
	else echo "TEST_DATABASE_URL is not set: PostgreSQL run left out"; fi

test: lint typecheck pytest

# Sync engine benchmark on PostgreSQL (BENCH_DATABASE_URL names the server); prints a table.
bench-sync: install
	$(BIN)/python bench/sync_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
