# The two commands a newcomer needs: `make run` and `make test`. Both work with only Python installed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test install install-dev var migrate demo lint format clean bench bench-scale messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

var:
	mkdir -p var/broker/queue var/broker/processed

migrate: install var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/python manage.py load_demo

## make run: set up, load the demo cooperative, start web + Celery worker with beat (Procfile.dev).
## With DATABASE_URL and REDIS_URL set, the same command runs on PostgreSQL and Redis.
## PORT=8010 make run serves on another port; links in emails follow it (SITE_URL, unless set).
## Emails go to files in var/mail/ (one per message) rather than filling the console; EMAIL_URL overrides.
PORT ?= 8000
run: demo
	@mkdir -p var/mail
	@echo "Starting http://127.0.0.1:$(PORT)/ (web) and a Celery worker with beat (started again if it exits). Ctrl-C stops both."
	@echo "Emails are written to var/mail/, one file per message."
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" WEB_PORT=$(PORT) EMAIL_URL="$${EMAIL_URL:-filemail:///var/mail}" \
		$(BIN)/honcho -f Procfile.dev start

## make test: install what the tests need, check the order of layers, and run the whole suite, one process
## per core (PYTEST_PARALLEL="" runs it in one).
PYTEST_PARALLEL ?= -n auto --dist loadfile
test: install-dev var
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

## make messages: collect every translatable string into locale/{fr,es,de}/LC_MESSAGES/django.po (keeping
## what is translated), then compile the .mo files the site reads. Needs GNU gettext (msgfmt, xgettext).
## The .mo files are committed, so that `make run` needs no gettext; tests/project/test_translations.py
## fails while a string lacks a French, Spanish or German translation.
MESSAGES_IGNORE = --ignore=.venv --ignore=tests --ignore=var --ignore=staticfiles --ignore=bench --ignore=node_modules --ignore=docs
messages: install-dev
	$(BIN)/python manage.py makemessages -l fr -l es -l de --add-location=file --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l fr -l es -l de --ignore=.venv

## make bench: seed a large cooperative on PostgreSQL (DATABASE_URL's server; its own databases
## gov_bench and gov_bench_tenth) and Redis (REDIS_URL, default database 9), serve it with gunicorn and
## measure pages and API against the bare framework in the same run; writes docs/benchmarks.md.
## Quick run while developing: make bench BENCH_DURATION=1 BENCH_ROUNDS=1 BENCH_SWEEP=1000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench: install var
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk (the Debian package)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run

## make bench-scale: the scale-out run (bench/scale.py): two web servers (gunicorn) behind HAProxy, two
## Celery workers and two beat schedulers at once, on PostgreSQL (DATABASE_URL's server; its own databases
## gov_scale_*) and Redis (REDIS_URL's server, databases 10 and 11), ports 8300-8399. It shows sessions and
## limits shared by the servers, 10,000 due rounds closed once each, nothing delivered twice, and the list
## API through the balancer; writes the "Scale-out" section of docs/benchmarks.md. Installs HAProxy and wrk
## (Debian packages) when they are missing. Smaller: make bench-scale SCALE_ROUNDS=1000 SCALE_DURATION=2
bench-scale: install var
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { echo "Installing HAProxy (the Debian package)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq haproxy; }
	@command -v wrk >/dev/null 2>&1 || { echo "Installing wrk (the Debian package)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	PATH="$$PATH:/usr/sbin" $(BIN)/python -m bench.scale run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var staticfiles .pytest_cache
