# Concordat: two commands do everything.
#   make run   - build the demo warehouse and serve the dashboard
#   make test  - lint and run every test (unit, end-to-end, browser)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: run test lint venv browser clean bench spark-check

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

# Python with ruff; the dbt project's SQL with sqlfluff's dbt templater (warehouse/.sqlfluff), which compiles the
# models against an in-memory DuckDB: nothing is built.
lint: venv
	$(BIN)/ruff check .
	cd warehouse && CONCORDAT_WAREHOUSE=:memory: $(CURDIR)/$(BIN)/sqlfluff lint models tests analyses --processes 2

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

# Optional, not part of `make test` (warehouse/spark/README.md): build a small demo warehouse on DuckDB, run the same
# dbt project on Spark (dbt-spark, session mode, its own venv) over the same raw data, and compare the marts.
SPARK_VENV := .venv-spark
SPARK_DIR  ?= $(CURDIR)/data/spark-check
SPARK_DBT  := cd warehouse && CONCORDAT_SPARK_DIR=$(SPARK_DIR) $(CURDIR)/$(SPARK_VENV)/bin/dbt
SPARK_ARGS := --profiles-dir spark --target-path $(SPARK_DIR)/target --log-path $(SPARK_DIR)/logs

$(SPARK_VENV)/.installed: warehouse/spark/requirements.txt
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet -r warehouse/spark/requirements.txt
	touch $@

spark-check: venv $(SPARK_VENV)/.installed
	rm -rf $(SPARK_DIR)
	CONCORDAT_HOME=$(SPARK_DIR)/home $(BIN)/concordat run --scale small --no-serve
	$(BIN)/python warehouse/spark/export_raw.py --warehouse $(SPARK_DIR)/home/warehouse.duckdb --out $(SPARK_DIR)/raw
	$(SPARK_DBT) run-operation register_raw_parquet --args '{parquet_dir: "$(SPARK_DIR)/raw"}' $(SPARK_ARGS)
	$(SPARK_DBT) build $(SPARK_ARGS)
	$(BIN)/python warehouse/spark/compare.py --warehouse $(SPARK_DIR)/home/warehouse.duckdb \
	  --spark-warehouse $(SPARK_DIR)/spark-warehouse

clean:
	rm -rf $(VENV) $(SPARK_VENV) data demo-data warehouse/target warehouse/logs
