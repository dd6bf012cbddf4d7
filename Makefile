# meetapp: the two commands a newcomer needs, and a few more.
#
#   make run    install everything, build the SQLite database, load the demo, start the app
#   make test   install everything, then ruff, mypy and pytest
#   make check  the same without the tests marked slow: the quick loop before each commit
#
# Both are safe to repeat: the virtual environment is only reinstalled when pyproject.toml
# changes, and Debian packages are only installed when one is missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
INSTANCE := $(or $(MEETAPP_INSTANCE_PATH),instance)
FLASK := $(BIN)/flask --app meetapp
# Where `make run` serves, as links in its e-mails name it (all interfaces: this machine).
LOCAL_URL := http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)
PYTEST_ARGS ?=
# pytest-xdist processes for the suite ("auto": one per core; 0: run in this process).
PYTEST_WORKERS ?= auto

# What WeasyPrint needs to draw PDFs (Pango, HarfBuzz) and fonts for the scripts of the
# meetings it is used for: Latin, Khmer, Japanese/Chinese/Korean; fonts-noto-core also has
# Thai, Lao and Myanmar (Burmese).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core fonts-noto-core fonts-khmeros fonts-noto-cjk
# The browser the end-to-end tests drive.
TEST_PACKAGES := chromium

# The install stamp is keyed on the content of pyproject.toml.
DEPS_KEY := $(shell cat pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
INSTALLED := $(VENV)/.installed-$(DEPS_KEY)

# The message catalogues of the participant pages: sources in meetapp/translations/*/LC_MESSAGES/
# messages.po, compiled (.mo, not kept in git) by `make install`.
TRANSLATIONS := meetapp/translations
PYBABEL := $(BIN)/pybabel
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: help run test check quick-pytest install system-packages test-packages lint typecheck pytest migrate-check bench clean messages translations

help:
	@echo "make run            install, migrate, load the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test           install, then ruff, mypy and pytest"
	@echo "make check          ruff, mypy and the tests not marked slow (the edit-test loop)"
	@echo "make install        only install: .venv and the Debian packages the app needs"
	@echo "make lint           ruff check and ruff format --check"
	@echo "make typecheck      mypy"
	@echo "make pytest         the test suite only (PYTEST_ARGS='-k name' to narrow it)"
	@echo "make migrate-check  migrate a fresh database and compare it with the models"
	@echo "make bench          every benchmark in bench/, then one table (see bench/README.md)"
	@echo "make messages       extract the texts to translate and update every catalogue"
	@echo "make clean          remove the virtual environment and caches"

# --- installation -------------------------------------------------------------------------

# $(call debian-packages,PACKAGES): install those of PACKAGES that are missing, with apt-get
# as root or through sudo; elsewhere say what to install.
define debian-packages
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "Not a Debian system: make sure these are installed: $(strip $(1))"; exit 0; \
	fi; \
	missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}\n' "$$package" 2>/dev/null | grep -q ' installed$$' \
	    || missing="$$missing $$package"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then \
	  sudo="sudo"; \
	else \
	  echo "Missing Debian packages:$$missing" >&2; \
	  echo "Install them with: sudo apt-get install$$missing" >&2; \
	  exit 1; \
	fi; \
	echo "Installing Debian packages:$$missing"; \
	$$sudo apt-get update -qq; \
	$$sudo env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends $$missing >/dev/null
endef

system-packages:
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  echo "meetapp needs Python 3.11 or newer as '$(PYTHON)' (set PYTHON=...)." >&2; exit 1; \
	fi
	$(call debian-packages,$(SYSTEM_PACKAGES) \
	  $(shell $(PYTHON) -c 'import ensurepip' 2>/dev/null || echo python3-venv))

test-packages:
	$(call debian-packages,$(TEST_PACKAGES))

$(BIN)/python: | system-packages
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: system-packages $(INSTALLED) translations

# Compiled catalogues, rebuilt when their .po changes.
translations: $(COMPILED)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(INSTALLED)
	$(PYBABEL) compile -d $(TRANSLATIONS) -l $*

# After changing texts: the template (messages.pot) and every catalogue brought up to date;
# then translate the new or changed entries (marked fuzzy or empty) in each messages.po.
messages: $(INSTALLED)
	$(PYBABEL) extract --no-wrap --sort-by-file -F babel.cfg -k N_ -k _l -k lazy_gettext \
	  --ignore-dirs='.* node_modules test-artifacts' \
	  -o $(TRANSLATIONS)/messages.pot .
	$(PYBABEL) update --no-wrap -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

# --- running ------------------------------------------------------------------------------

run: install
	@$(FLASK) db upgrade
	@mkdir -p "$(INSTANCE)"; \
	if output=$$($(FLASK) demo 2>&1); then \
	  echo "$$output" | grep -v '^Log in as' || true; \
	  (umask 077; echo "$$output" | grep '^Log in as' > "$(INSTANCE)/demo-login.txt" || true); \
	elif echo "$$output" | grep -q 'already loaded'; then \
	  echo "The demo meeting is already loaded."; \
	else \
	  echo "$$output" >&2; exit 1; \
	fi
	@echo
	@echo "  meetapp is starting on $(LOCAL_URL)/login"
	@if [ -s "$(INSTANCE)/demo-login.txt" ]; then \
	  echo "  $$(cat "$(INSTANCE)/demo-login.txt")"; \
	else \
	  echo "  Create an account with: $(FLASK) create-user EMAIL --role admin"; \
	fi
	@echo "  Stop it with Ctrl+C."
	@echo
	@export MEETAPP_PUBLIC_BASE_URL="$${MEETAPP_PUBLIC_BASE_URL:-$(LOCAL_URL)}"; \
	if [ -n "$${MEETAPP_REDIS_URL:-}" ] && [ "$${MEETAPP_JOBS:-redis}" = redis ]; then \
	  echo "  Background jobs go to Redis: a worker runs beside the server."; \
	  $(FLASK) worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	else \
	  echo "  Background jobs run in the server's process (set MEETAPP_REDIS_URL for a queue)."; \
	fi; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# --- checks -------------------------------------------------------------------------------

test: lint typecheck pytest

check: lint typecheck quick-pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

pytest: install test-packages
	@status=0; $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status = 5 ]; then echo "pytest collected no tests: that is a failure." >&2; fi; \
	exit $$status

quick-pytest: install
	@status=0; $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS) || status=$$?; \
	if [ $$status = 5 ]; then echo "pytest collected no tests: that is a failure." >&2; fi; \
	exit $$status

# Builds a fresh database with the migrations and checks that nothing differs from the
# models. CHECK_DATABASE_URL names an empty database to use (a temporary SQLite file if unset).
migrate-check: install
	@if ! ls migrations/versions/*.py >/dev/null 2>&1; then \
	  echo "migrations/versions holds no revision: the schema cannot be built." >&2; exit 1; \
	fi
	@workdir=$$(mktemp -d); trap 'rm -rf "$$workdir"' EXIT; \
	export MEETAPP_INSTANCE_PATH="$$workdir"; \
	export MEETAPP_DATABASE_URL="$${CHECK_DATABASE_URL:-sqlite:///$$workdir/check.db}"; \
	echo "Migrating a fresh database ($${MEETAPP_DATABASE_URL%%:*})"; \
	$(FLASK) db upgrade; \
	$(FLASK) db check

bench: install
	PYTHON=$(BIN)/python bench/run-all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
