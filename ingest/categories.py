"""Mapping a column's raw spellings to canonical values, once per DISTINCT value, in Python; joined in SQL.

Category, force and financial-year columns have few distinct values even in a million-row file, so the loader
asks DuckDB for the distinct spellings, maps each with the contract's own rules (`Column.canonical`,
`concordat.forces.force_code`, `concordat.financial_years.financial_year`) and joins the small result back. The
rules stay in one place and no Python runs per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from concordat import forces
from concordat.contracts import Column, Contract
from concordat.financial_years import financial_year
from ingest.readers import create_table_from_lists

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


@dataclass(frozen=True)
class MappingSpec:
    """A mapping table to build for a column: (cell, context_cell) -> (trimmed, value), one row per distinct cell.

    `value_sql` turns the raw `cell` into the meaningful value (trimmed, blank and null tokens as NULL);
    `context_sql` does the same for `context_cell`, the cell of the column this one depends on."""

    table: str
    column: Column
    cell_sql: str  # the staged column holding the raw cells
    value_sql: str
    context_cell_sql: str | None = None
    context_sql: str | None = None


def create_mapping_tables(
    con: duckdb.DuckDBPyConnection, contract: Contract, specs: list[MappingSpec], source_view: str
) -> None:
    """Collect the distinct cells of every mapped column (one query), map them in Python, store the tables."""
    if not specs:
        return
    parts = [
        f"SELECT {i} AS spec, cell, context_cell, {spec.value_sql} AS trimmed, "
        f"{spec.context_sql or 'NULL::VARCHAR'} AS context FROM "
        f"(SELECT DISTINCT {spec.cell_sql} AS cell, {spec.context_cell_sql or 'NULL::VARCHAR'} AS context_cell "
        f"FROM {source_view})"
        for i, spec in enumerate(specs)
    ]
    rows = con.execute(" UNION ALL ".join(parts)).fetchall()
    for i, spec in enumerate(specs):
        mine = [r for r in rows if r[0] == i]
        mapper = canonicaliser(contract, spec.column)
        values = [mapper(r[3], r[4]) if r[3] is not None else None for r in mine]
        create_table_from_lists(
            con,
            spec.table,
            {
                "cell": ("VARCHAR", [r[1] for r in mine]),
                "context_cell": ("VARCHAR", [r[2] for r in mine]),
                "trimmed": ("VARCHAR", [r[3] for r in mine]),
                "value": ("VARCHAR", values),
            },
        )
