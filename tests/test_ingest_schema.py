"""`ensure_raw_tables`: every command's first step on the build warehouse. It creates what a new warehouse lacks,
adds what an older one lacks (rows kept) and changes nothing in a complete one."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.schema import ensure_raw_tables, raw_tables


def _layout(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    return {
        f"raw.{table}": columns
        for table, columns in con.execute(
            "SELECT table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
            "WHERE schema_name = 'raw' GROUP BY ALL"
        ).fetchall()
    }


def _expected() -> dict[str, list[str]]:
    return {table: [name for name, _ in columns] for table, columns in raw_tables().items()}


def test_a_new_warehouse_gets_every_raw_table(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_raw_tables(con)
        assert _layout(con) == _expected()


def test_an_older_warehouse_gets_the_missing_table_and_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_raw_tables(con)
        con.execute("INSERT INTO raw.s136 (detention_id) VALUES ('D1')")
        con.execute("ALTER TABLE raw.s136 DROP COLUMN outcome")
        con.execute("ALTER TABLE raw.s136 DROP COLUMN loaded_at")
        con.execute("DROP TABLE raw.custody")
        ensure_raw_tables(con)
        layout = _layout(con)
        assert layout["raw.custody"] == _expected()["raw.custody"]
        expected_s136 = [c for c in _expected()["raw.s136"] if c not in ("outcome", "loaded_at")]
        assert layout["raw.s136"] == [*expected_s136, "outcome", "loaded_at"]  # added at the end
        assert con.execute("SELECT detention_id, outcome FROM raw.s136").fetchall() == [("D1", None)]


def test_a_complete_warehouse_is_not_written_to(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_raw_tables(con)
    with duckdb.connect(str(path), read_only=True) as con:  # a write would fail here
        ensure_raw_tables(con)
        assert _layout(con) == _expected()
