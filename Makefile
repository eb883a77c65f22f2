# Renkou: two commands on a fresh machine.
#   make run   — install from the lock files, migrate, load the demo county, serve on 127.0.0.1:8000
#   make test  — install the same way, then lint, type checks, checks and the whole suite on SQLite
#                and PostgreSQL
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := .tools/bin/uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The browser tests write each role's home and main lists at 1366×768 and 375×667 here, for a
# reviewer to look at (var/ is not committed).
export RENKOU_SCREENSHOTS ?= $(CURDIR)/var/screenshots

.PHONY: run test install system-deps lint types check test-sqlite test-postgres worker serve clean

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_events
	$(PY) manage.py seed_demo_programs
	$(PY) manage.py seed_demo_services
	$(PY) manage.py seed_demo_quotas
	$(PY) manage.py seed_demo_targets
	$(PY) manage.py seed_demo_benefits
	$(PY) manage.py seed_demo_assessment
	$(PY) manage.py seed_demo_supervision
	$(PY) manage.py seed_demo_tipoffs
	$(PY) manage.py seed_demo_cases
	$(PY) manage.py seed_demo_floating
	$(PY) manage.py refresh_todo --schedule
	$(PY) manage.py purge_files --schedule
	$(PY) manage.py screen_benefits --schedule
	$(PY) manage.py collectstatic --noinput -v0
	@echo "Renkou: http://$(HOST):$(PORT)/ （后台任务进程已同时启动；Ctrl+C 退出）"
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --queue-name '*' & \
	  $(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: install lint types check test-sqlite test-postgres

install: system-deps .venv/.synced node_modules/.installed

system-deps:
	@scripts/system-deps.sh

$(UV):
	python3 -m pip install --quiet --disable-pip-version-check --target .tools uv==0.13.9

.venv/.synced: $(UV) uv.lock pyproject.toml .python-version
	$(UV) sync --frozen --python "$$(scripts/find-python.sh)"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@n=$$(grep -rhoE "fmt: (skip|off)" --include=*.py renkou tests bench conftest.py | wc -l); \
	  if [ "$$n" -gt 20 ]; then echo "$$n fmt: skip/off markers (at most 20, each with a reason)"; exit 1; fi
	@bare=$$(grep -rnE "type: ignore" --include=*.py renkou | grep -vE "type: ignore\[[-a-z,]+\]  # ." || true); \
	  if [ -n "$$bare" ]; then echo "type: ignore needs its [code] and a reason:"; echo "$$bare"; exit 1; fi

# mypy with the Django and DRF plugins over renkou/ (settings and strictness in pyproject.toml).
types:
	$(PY) -m mypy

check:
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# --durations: each run ends with its 30 slowest tests, the data for keeping the suite short.
test-sqlite:
	DATABASE_URL= $(PY) -m pytest -q -n 2 --durations=30

test-postgres:
	scripts/with-postgres.sh $(PY) -m pytest -q -n 2 --durations=30

worker:
	$(PY) manage.py db_worker --queue-name '*'

clean:
	rm -rf .venv .tools node_modules var/static
