# One command each: make run, make test, make lint, make eval, make bench.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --quiet --disable-pip-version-check
DEPS_STAMP := $(VENV)/.deps-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint eval bench install chromium clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Dependencies are (re)installed when pyproject.toml changes; the project itself every time,
# without -e, exactly as the Dockerfile installs it.
$(DEPS_STAMP): pyproject.toml | $(PY)
	$(PIP) install --upgrade pip setuptools wheel
	$(PIP) install ".[test]"
	rm -f $(VENV)/.deps-* && touch $@

install: $(DEPS_STAMP)
	$(PIP) install --no-deps --force-reinstall .

chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  { echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

run: install
	$(VENV)/bin/rehearse serve --host $(HOST) --port $(PORT)

test: install chromium
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

eval: install
	$(PY) -m tests.scorer_eval

bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
