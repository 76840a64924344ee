"""The build fingerprint: what a validation vouches for, so publish can tell whether the build changed since.

It is a hash of the latest ingest attempt (``raw.ingest_log``) and the latest build (``marts.build_runs``),
plus how many of each there have been: any ``concordat ingest`` or ``concordat build`` after a validation
changes it, while the validation's own writes (``marts.dq_*``) do not.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from concordat.database import table_exists


def _latest(con: duckdb.DuckDBPyConnection, table: str, columns: str, order: str) -> list[object] | None:
    schema, name = table.split(".")
    if not table_exists(con, schema, name):
        return None
    (count,) = con.execute(f"select count(*) from {table}").fetchone()
    row = con.execute(f"select {columns} from {table} order by {order} limit 1").fetchone()
    return [count, *(str(v) if v is not None else None for v in (row or ()))]


def fingerprint_parts(con: duckdb.DuckDBPyConnection) -> dict[str, list[object] | None]:
    """The facts the fingerprint is made of: [count, latest row...] for the ingest log and the build runs."""
    return {
        "ingest": _latest(
            con,
            "raw.ingest_log",
            "attempt_id, finished_at, started_at",
            "finished_at desc nulls first, started_at desc nulls first, attempt_id desc",
        ),
        "build": _latest(
            con,
            "marts.build_runs",
            "build_id, finished_at, started_at, success",
            "finished_at desc nulls first, started_at desc nulls first, build_id desc",
        ),
    }


def build_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """A short hex digest of the latest ingest attempt and build (see module docstring)."""
    text = json.dumps(fingerprint_parts(con), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def files_loaded_since(con: duckdb.DuckDBPyConnection, started_at: object | None) -> int:
    """How many files were loaded (raw.ingest_log, status `loaded`) after `started_at`, a build's start: files its
    marts leave out. None (nothing built yet) counts every loaded file."""
    if not table_exists(con, "raw", "ingest_log"):
        return 0
    ((count,),) = con.execute(
        "select count(*) from raw.ingest_log where status = 'loaded' and (? is null or finished_at > ?)",
        [started_at, started_at],
    ).fetchall()
    return int(count)
