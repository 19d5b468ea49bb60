# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint format vendor lock diagram messages install install-dev clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.base-installed: requirements/base.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt requirements/base.txt | $(VENV)/bin/python
	$(BIN)/pip install -q -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

## Run the demo: SQLite, demo data, the web app on 127.0.0.1:8000, a Celery worker and beat.
demo: install
	scripts/run-demo

## Run the whole suite against a private PostgreSQL and Redis (installed and started here).
test: install-dev
	scripts/ensure-system-packages
	scripts/with-test-services scripts/run-tests

## Benchmarks (PostgreSQL and Redis provided the same way as for the tests).
bench: install-dev
	scripts/ensure-system-packages
	scripts/with-test-services scripts/run-bench

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Copy the front-end libraries pinned in package-lock.json into static/vendor.
vendor:
	scripts/vendor-assets

## Re-pin every Python dependency from requirements/*.in.
lock: install-dev
	$(BIN)/pip install -q pip-tools==7.6.2
	cd requirements && for f in base dev; do ../$(BIN)/pip-compile -q --strip-extras --no-header \
		--no-emit-index-url --no-emit-find-links --output-file $$f.txt $$f.in; done

## Update the Russian translation: collect every marked string into locale/ru/LC_MESSAGES/django.po
## (translate the new entries there), then compile it into django.mo; commit both files.
I18N := DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=test-artifacts --ignore=var --ignore=bench --ignore=tests
messages: install
	$(I18N) makemessages -l ru $(I18N_IGNORE)
	$(I18N) compilemessages -l ru $(I18N_IGNORE)

## Write both stage machines as Graphviz files into docs/.
diagram: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py stage_diagram --output docs/

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache test-artifacts
