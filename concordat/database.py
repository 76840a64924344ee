"""Opening Concordat's DuckDB files, and asking one what it holds.

A DuckDB file has one writer at a time, and a reader cannot open it while a writer holds it: when another process
holds the file, the command stops with one line naming the file and that process (exit 2), instead of DuckDB's
error and a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from concordat.errors import UserInputError, WarehouseBusy

#: DuckDB names the process holding the lock: "Conflicting lock is held in /usr/bin/python3 (PID 9256)".
_HOLDER = re.compile(r"\(PID (\d+)\)")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file `path`; WarehouseBusy when another process holds it, UserInputError when
    DuckDB cannot open it for another reason (not a DuckDB file, no permission...)."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            holder = _HOLDER.search(text)
            who = f"process {holder[1]}" if holder else "another process"
            raise WarehouseBusy(
                f"cannot open {path}: {who} is using it (another concordat ingest, build, validate or publish "
                "still running?); run this again when it has finished"
            ) from None
        raise UserInputError(f"cannot open {path}: {text.splitlines()[0]}") from None


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    """The columns of `schema.table` in order (none when it does not exist)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    (count,) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()
    return count > 0
