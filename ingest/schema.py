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


def _columns_sql(columns: tuple[tuple[str, str], ...] | list) -> str:
    return ", ".join(f'"{name}" {sql_type}' for name, sql_type in columns)


def _names_sql(columns: tuple[tuple[str, str], ...] | list) -> str:
    return ", ".join(f'"{name}"' for name, _ in columns)


def raw_table(contract: Contract) -> str:
    return f"raw.{contract.source}"


def raw_tables() -> dict[str, tuple[tuple[str, str], ...] | list]:
    """Every raw table and its columns, in order."""
    tables: dict[str, tuple[tuple[str, str], ...] | list] = {
        raw_table(contract): contract.raw_table_columns() for contract in CONTRACTS.values()
    }
    return tables | {"raw.quarantine": QUARANTINE_COLUMNS, "raw.ingest_log": INGEST_LOG_COLUMNS}


def _complete(con: duckdb.DuckDBPyConnection) -> bool:
    """True when every raw table has every column: one statement that only binds them (about 5 ms). Listing the
    catalog instead (duckdb_columns) costs 20-30 ms on a fresh connection, because its first scan builds
    DuckDB's default system views, and every command starts on a fresh connection."""
    selects = [f"(SELECT {_names_sql(columns)} FROM {table} LIMIT 0)" for table, columns in raw_tables().items()]
    probe = " UNION ALL ".join(f"(SELECT 1 FROM {select})" for select in selects)
    try:
        con.execute(probe)
    except (duckdb.CatalogException, duckdb.BinderException):
        return False
    return True


def _present_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The raw tables there are, and their columns (nothing for a new warehouse, which has no raw schema)."""
    ((has_schema,),) = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name = 'raw'"
    ).fetchall()
    if not has_schema:
        return {}
    return {
        f"raw.{table}": set(columns)
        for table, columns in con.execute(
            "SELECT table_name, list(column_name) FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = 'raw' GROUP BY ALL"
        ).fetchall()
    }


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and every raw table (empty) if missing, and add at the end of a table any column a
    warehouse made by an earlier version lacks. Safe to call any number of times; one transaction, and none at all
    when nothing is missing."""
    if _complete(con):
        return
    present = _present_columns(con)
    missing = {
        table: [(name, sql_type) for name, sql_type in columns if name not in present.get(table, set())]
        for table, columns in raw_tables().items()
    }
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        for table, columns in missing.items():
            if table not in present:
                con.execute(f"CREATE TABLE {table} ({_columns_sql(columns)})")
                continue
            for name, sql_type in columns:
                con.execute(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}')
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
