# Wardwork: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo setup test test-browser lint format check messages clean

## demo: set everything up on SQLite, load the demo data and serve http://127.0.0.1:8000
demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## setup: virtualenv with the app and its test tools; a development .env if there is none
setup: $(VENV)/.installed .env

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

.env:
	@echo "Writing a development .env (DEBUG on, random SECRET_KEY, SQLite)"
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env

## test: the whole suite; SQLite by default, PostgreSQL when DATABASE_URL is set
test: setup
	$(BIN)/pytest

## test-browser: only the end-to-end browser tests (needs Debian's chromium)
test-browser: setup
	$(BIN)/pytest -m browser

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: setup
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

## messages: refresh and compile the Vietnamese catalogue (needs gettext)
messages: setup
	$(PY) manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=static --ignore=staticfiles --ignore=tests --ignore=benchmarks
	$(PY) manage.py compilemessages -l vi --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles test-artifacts
