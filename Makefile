# Concordat: two commands do everything.
#   make run   - build the demo warehouse and serve the dashboard
#   make test  - lint and run every test (unit, end-to-end, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: run test lint venv browser clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

run: venv
	$(BIN)/concordat run $(RUN_ARGS)

lint: venv
	$(BIN)/ruff check .

# Debian's Chromium for the browser tests (never a browser downloaded by a tool).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium chromium-driver >/dev/null; fi; \
	fi

test: venv lint browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) data demo-data warehouse/target warehouse/logs
