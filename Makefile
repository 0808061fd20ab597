# The two commands a newcomer needs: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-scaleout screenshots lint lock browser-deps demo-sheets clean

# Each installs exactly a lock: every package pinned, every file checked against its hash.
# The app's lock, all that `make run` needs (a first run stays well under a minute).
$(VENV)/.requirements-app: requirements.txt
	@test -x $(PY) || "$$(bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	@touch $@

# Everything: the app, and the tools to test and lint it.
$(VENV)/.requirements: requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.requirements-app

## run: set up, migrate, create the first login, start the web server and the worker
run: $(VENV)/.requirements-app
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_login
	$(PY) bin/run.py --host $(HOST) --port $(PORT)

## test: the whole suite, with every tool it needs
test: $(VENV)/.requirements browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

## screenshots: take the README's pictures again, into docs/screenshots/ (the tests that take
##   them, in real Chromium at 390 x 844; `make test` keeps its pictures in a temporary folder)
screenshots: $(VENV)/.requirements browser-deps
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -m screenshots $(PYTEST_ARGS)

## demo-sheets: a local imitation of Google Sheets to sync to, without a Google account
demo-sheets: $(VENV)/.requirements-app
	$(PY) -m devtools.sheets_imitation --port 8765 --spreadsheet demo:Log

## test-scaleout: the whole suite again on PostgreSQL and Redis (the scale-out setup)
SCALEOUT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SCALEOUT_REDIS_URL ?= redis://127.0.0.1:6379/15
test-scaleout: $(VENV)/.requirements browser-deps
	DATABASE_URL=$(SCALEOUT_DATABASE_URL) REDIS_URL=$(SCALEOUT_REDIS_URL) $(PY) bin/check-services.py
	DATABASE_URL=$(SCALEOUT_DATABASE_URL) REDIS_URL=$(SCALEOUT_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

## lock: compile requirements*.in into the hashed lock files, from the default index
##   (make lock UPGRADE=1 also moves every unpinned package to its newest version)
LOCK_FLAGS := --quiet --universal --python-version 3.12 --generate-hashes --no-config \
	--custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.requirements
	$(PY) -m pip install --quiet --require-hashes -r requirements-tools.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) requirements-tools.in -o requirements-tools.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) requirements.in -o requirements.txt
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) requirements-dev.in -c requirements.txt \
		-o requirements-dev.txt

# Chromium for the browser tests, Caddy for the HTTPS test.
browser-deps:
	@bin/ensure-chromium
	@bin/ensure-caddy

lint: $(VENV)/.requirements
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles
