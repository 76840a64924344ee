"""Batches: the pandas DataFrame each suite validates, read from the build warehouse with DuckDB.

GX's SQL data source returned empty metrics against DuckDB here, so every batch is a DataFrame. A table batch
reads only the columns its suite's expectations use, plus derived columns computed in SQL; query batches are
built by the named functions in ``BUILDERS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import duckdb
import pandas as pd

from concordat import database
from concordat.project_vars import suppression_threshold
from concordat.sql import q
from expectations import disclosure, privacy, reconcile
from expectations.errors import BatchUnavailable


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str] | None:
    """The columns of a `schema.table`, or None when it does not exist."""
    schema, name = table.split(".", 1)
    return database.table_columns(con, schema, name) or None


def referenced_columns(suite: dict[str, Any]) -> set[str]:
    """Every column a suite's expectations name, in kwargs or in a row condition."""
    names: set[str] = set(suite["meta"]["batch"].get("index_columns", []))
    words: set[str] = set()
    for exp in suite["expectations"]:
        kw = exp["kwargs"]
        names.update(kw[k] for k in ("column", "column_A", "column_B") if k in kw)
        names.update(kw.get("column_list", []))
        cond = kw.get("row_condition")
        if isinstance(cond, dict):
            cond = cond.get("pass_through_filter")
        if isinstance(cond, str):
            words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", cond))
    return names | words


def table_batch(con: duckdb.DuckDBPyConnection, suite: dict[str, Any], now: str) -> pd.DataFrame:
    batch = suite["meta"]["batch"]
    table = batch["table"]
    existing = table_columns(con, table)
    if existing is None:
        raise BatchUnavailable(f"{table} does not exist")
    wanted = referenced_columns(suite)
    values = {"suppression_threshold": suppression_threshold(), "now": now}
    derived = {name: sql.format(**values) for name, sql in batch.get("derived", {}).items()}
    selects = [q(c) for c in existing if c in wanted and c not in derived]
    selects += [f"({sql}) as {q(name)}" for name, sql in derived.items()]
    schema, name = table.split(".", 1)
    return con.execute(f"select {', '.join(selects) or 'null as _none'} from {q(schema)}.{q(name)}").df()


def kpi_monthly_gaps(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per (count KPI, area), segment all: months missing between its first and last month."""
    if table_columns(con, "marts.kpi_values") is None:
        raise BatchUnavailable("marts.kpi_values does not exist (has the build run?)")
    return con.execute(
        """
        select kpi_id, area_code, min(period_start) as first_month, max(period_start) as last_month,
               count(distinct period_start) as months_present,
               date_diff('month', min(period_start), max(period_start)) + 1 - count(distinct period_start)
                   as missing_months
        from marts.kpi_values
        where period_grain = 'month' and segment = 'all' and unit = 'count'
        group by kpi_id, area_code
        order by kpi_id, area_code
        """
    ).df()


BUILDERS: dict[str, Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]] = {
    "privacy_profile": privacy.profile,
    "ingest_reconciliation": reconcile.ingest_reconciliation,
    "fact_lineage": reconcile.fact_lineage,
    "kpi_totals": reconcile.kpi_totals,
    "latest_build": reconcile.latest_build,
    "kpi_monthly_gaps": kpi_monthly_gaps,
    "recoverable_cells": disclosure.recoverable_cells,
}


def build(con: duckdb.DuckDBPyConnection, suite: dict[str, Any], now: str) -> pd.DataFrame:
    """The DataFrame a suite validates (BatchUnavailable when it cannot be built); `now` is UK local time."""
    batch = suite["meta"]["batch"]
    if batch["kind"] == "table":
        return table_batch(con, suite, now)
    return BUILDERS[batch["builder"]](con)
