"""The raw schema: one table per contract, plus the quarantine and the ingest log (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import duckdb

from concordat.contracts import CONTRACTS, Contract

QUARANTINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", "VARCHAR"),
    ("file", "VARCHAR"),
    ("sha256", "VARCHAR"),
    ("row_number", "BIGINT"),
    ("column_name", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("row_json", "JSON"),  # the row as read, pseudonymised columns already hashed
    ("quarantined_at", "TIMESTAMP"),
)

INGEST_LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("attempt_id", "VARCHAR"),
    ("source", "VARCHAR"),
    ("file", "VARCHAR"),
    ("sha256", "VARCHAR"),
    ("started_at", "TIMESTAMP"),
    ("finished_at", "TIMESTAMP"),
    ("status", "VARCHAR"),  # loaded | duplicate | rejected | failed
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_quarantined", "BIGINT"),
    ("rows_skipped", "BIGINT"),
    ("rows_replaced", "BIGINT"),
    ("extra_columns", "JSON"),
    ("message", "VARCHAR"),
    ("key_check", "VARCHAR"),  # the pseudonymisation key's check value (concordat.pseudonymise.key_check)
)


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[tuple[str, str], ...] | list) -> None:
    """Create `table`, or add the columns a warehouse made by an earlier version lacks (always at the end)."""
    cols = ",\n    ".join(f'"{name}" {sql_type}' for name, sql_type in columns)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} (\n    {cols}\n)")
    schema, name = table.split(".")
    present = {
        column
        for (column,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, name]
        ).fetchall()
    }
    for column, sql_type in columns:
        if column not in present:
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {sql_type}')


def raw_table(contract: Contract) -> str:
    return f"raw.{contract.source}"


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and every raw table (empty) if missing. Safe to call any number of times."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for contract in CONTRACTS.values():
        _create(con, raw_table(contract), contract.raw_table_columns())
    _create(con, "raw.quarantine", QUARANTINE_COLUMNS)
    _create(con, "raw.ingest_log", INGEST_LOG_COLUMNS)
