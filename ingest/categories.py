"""Mapping a column's raw spellings to canonical values, once per DISTINCT value, in Python; joined in SQL.

Category, force and financial-year columns have few distinct values even in a million-row file, so the loader
asks DuckDB for the distinct spellings, maps each with the contract's own rules (`Column.canonical`,
`concordat.forces.force_code`, `ingest.formats.financial_year`) and joins the small result back. The rules stay
in one place and no Python runs per row.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

from concordat import forces
from concordat.contracts import Column, Contract
from ingest.formats import financial_year

MAPPED_TYPES = ("category", "force", "fy_label")


def canonicaliser(contract: Contract, column: Column) -> Callable[[str, str | None], str | None]:
    """f(raw value, raw value of the column it depends on) -> canonical value or None (a row error)."""
    if column.type == "force":
        return lambda raw, _ctx: forces.force_code(raw, allow_national=column.allow_national)
    if column.type == "fy_label":
        return lambda raw, _ctx: financial_year(raw)
    if column.type == "category" and column.depends_on:
        parent = contract.column(column.depends_on)

        def dependent(raw: str, ctx: str | None) -> str | None:
            return column.canonical(raw, parent.canonical(ctx) if ctx is not None else None)

        return dependent
    if column.type == "category":
        return lambda raw, _ctx: column.canonical(raw)
    raise ValueError(f"{contract.source}.{column.name} ({column.type}) is not a mapped column")


def create_mapping_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    contract: Contract,
    column: Column,
    value_sql: str,
    context_sql: str | None,
    source_view: str,
) -> None:
    """Temp table (raw, context, value) for every distinct non-blank spelling of `value_sql` in `source_view`."""
    context = context_sql or "NULL::VARCHAR"
    pairs = con.execute(
        f"SELECT DISTINCT {value_sql}, {context} FROM {source_view} WHERE {value_sql} IS NOT NULL"
    ).fetchall()
    mapper = canonicaliser(contract, column)
    arrow = pa.table(
        {
            "raw": pa.array([raw for raw, _ in pairs], pa.string()),
            "context": pa.array([ctx for _, ctx in pairs], pa.string()),
            "value": pa.array([mapper(raw, ctx) for raw, ctx in pairs], pa.string()),
        }
    )
    name = f"{table}_arrow"
    con.register(name, arrow)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {name}")
    finally:
        con.unregister(name)
