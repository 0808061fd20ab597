# The two commands a newcomer needs: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-scaleout lint browser-deps demo-sheets clean

$(VENV)/.requirements: requirements.txt requirements-dev.txt
	@test -x $(PY) || "$$(bin/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

## run: set up, migrate, create the first login, start the web server and the worker
run: $(VENV)/.requirements
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ensure_login
	$(PY) bin/run.py --host $(HOST) --port $(PORT)

## test: the whole suite, with every tool it needs
test: $(VENV)/.requirements browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

## demo-sheets: a local imitation of Google Sheets to sync to, without a Google account
demo-sheets: $(VENV)/.requirements
	$(PY) -m sync_app.sheets_imitation --port 8765 --spreadsheet demo:Log

## test-scaleout: the whole suite again on PostgreSQL and Redis (the scale-out setup)
SCALEOUT_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SCALEOUT_REDIS_URL ?= redis://127.0.0.1:6379/15
test-scaleout: $(VENV)/.requirements browser-deps
	DATABASE_URL=$(SCALEOUT_DATABASE_URL) REDIS_URL=$(SCALEOUT_REDIS_URL) $(PY) bin/check-services.py
	DATABASE_URL=$(SCALEOUT_DATABASE_URL) REDIS_URL=$(SCALEOUT_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

browser-deps:
	@bin/ensure-chromium

lint: $(VENV)/.requirements
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles
