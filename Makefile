# jiuzhu — targets a newcomer can guess. `make run` and `make test` are the README's two commands.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/jiuzhu
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_HOUSEHOLDS ?= 5000

.PHONY: run serve setup demo test test-pg test-sqlite lint bench clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

## Start the platform on SQLite with the demo county loaded, and its background-job worker.
run: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo_county --households $(DEMO_HOUSEHOLDS) --if-empty
	$(PY) manage.py demo_county --print-logins --host $(HOST) --port $(PORT)
	$(PY) manage.py with_worker -- $(PY) manage.py runserver $(HOST):$(PORT)

## Production: gunicorn + WhiteNoise against PostgreSQL (docs/deploy.md). Needs DATABASE_URL,
## JIUZHU_SECRET_KEY, JIUZHU_FIELD_KEY, JIUZHU_HASH_KEY and JIUZHU_ALLOWED_HOSTS; refuses without.
serve: setup
	JIUZHU_PRODUCTION=1 $(PY) manage.py check --deploy
	JIUZHU_PRODUCTION=1 $(PY) manage.py migrate --noinput
	JIUZHU_PRODUCTION=1 $(PY) manage.py collectstatic --noinput -v0
	JIUZHU_PRODUCTION=1 JIUZHU_BIND=$${JIUZHU_BIND:-$(HOST):$(PORT)} $(VENV)/bin/gunicorn -c gunicorn.conf.py

demo: setup
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo_county --households $(DEMO_HOUSEHOLDS) --reset

## Install what the tests need (Python packages, Debian's chromium) and run them.
test: setup
	bash scripts/test-prerequisites.sh
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-pg
	$(MAKE) --no-print-directory test-sqlite

test-pg:
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -p no:cacheprovider

test-sqlite:
	JIUZHU_VAR_DIR=$$(mktemp -d) $(PY) -m pytest -p no:cacheprovider -m "core"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

## Benchmarks on a 1,000,000-household PostgreSQL database (JIUZHU_BENCH_DB, default jiuzhu_bench).
bench: setup
	bash scripts/test-prerequisites.sh --no-browser
	DATABASE_URL=$(PG_URL) $(PY) bench/registry_bench.py
	DATABASE_URL=$(PG_URL) $(PY) bench/assessment_bench.py
	DATABASE_URL=$(PG_URL) $(PY) bench/matching_bench.py
	DATABASE_URL=$(PG_URL) $(PY) bench/push_bench.py
	DATABASE_URL=$(PG_URL) $(PY) bench/inbox_bench.py
	DATABASE_URL=$(PG_URL) $(PY) bench/case_deadlines_bench.py
	DATABASE_URL=$(PG_URL) $(PY) bench/list_bench.py --households 1000000 --reuse --requests 20
	DATABASE_URL=$(PG_URL) $(PY) bench/load_bench.py
	$(PY) bench/spreadsheet_limits_bench.py

clean:
	rm -rf var staticfiles .pytest_cache
