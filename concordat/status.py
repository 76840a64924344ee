"""`concordat status`: what is loaded (files, periods, freshness), the last build and the last validation."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from concordat import database, paths
from concordat.clock import utc_label
from concordat.contracts import CONTRACTS
from concordat.errors import UserInputError
from concordat.fingerprint import files_loaded_since


@dataclass(frozen=True)
class SourceStatus:
    source: str
    rows: int
    files_loaded: int
    last_file: str | None
    last_loaded_at: str | None
    period_from: str | None
    period_to: str | None
    rows_quarantined: int


@dataclass
class Status:
    warehouse: str
    serving: str | None
    sources: list[SourceStatus] = field(default_factory=list)
    last_build: dict[str, object] | None = None
    last_validation: dict[str, object] | None = None
    #: files loaded after the last build started (all loaded files when nothing was built): not in the marts yet
    files_loaded_since_build: int = 0
    serving_published_at: str | None = None  # when the serving file was last replaced (UTC)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    return {r[0] for r in rows}


def _latest_row(con: duckdb.DuckDBPyConnection, table: str, order_by: str) -> dict[str, object] | None:
    cur = con.execute(f"select * from {table} order by {order_by} desc limit 1")
    row = cur.fetchone()
    if row is None:
        return None
    return {d[0]: (v.isoformat() if hasattr(v, "isoformat") else v) for d, v in zip(cur.description, row, strict=True)}


def _source_status(con: duckdb.DuckDBPyConnection, source: str, tables: set[str]) -> SourceStatus | None:
    contract = CONTRACTS[source]
    if f"raw.{source}" not in tables:
        return None
    col = contract.period_column
    rows, period_from, period_to = con.execute(
        f'select count(*), min("{col}")::varchar, max("{col}")::varchar from raw.{source}'
    ).fetchone()
    files, last_file, last_loaded, quarantined = con.execute(
        """
        select count(*) filter (where status = 'loaded'),
               arg_max(file, finished_at) filter (where status = 'loaded'),
               max(finished_at) filter (where status = 'loaded')::varchar,
               coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0)
        from raw.ingest_log where source = ?
        """,
        [source],
    ).fetchone()
    if not rows and not files:
        return None
    return SourceStatus(source, rows, files, last_file, last_loaded, period_from, period_to, int(quarantined))


def collect(warehouse: Path) -> Status:
    """Read the build warehouse (read-only) into a Status."""
    serving = paths.serving_warehouse()
    status = Status(str(warehouse), str(serving) if serving.exists() else None)
    if serving.exists():
        published = dt.datetime.fromtimestamp(serving.stat().st_mtime, dt.UTC).replace(tzinfo=None)
        status.serving_published_at = published.isoformat(sep=" ", timespec="seconds")
    with database.connect(warehouse, read_only=True) as con:
        tables = _tables(con)
        if "raw.ingest_log" in tables:
            status.sources = [s for src in CONTRACTS if (s := _source_status(con, src, tables))]
        if "marts.build_runs" in tables:
            status.last_build = _latest_row(con, "marts.build_runs", "finished_at")
        status.files_loaded_since_build = files_loaded_since(
            con, status.last_build["started_at"] if status.last_build else None
        )
        if "marts.dq_runs" in tables:
            status.last_validation = _latest_row(con, "marts.dq_runs", "finished_at")
    return status


def _day(value: str | None) -> str | None:
    """`2021-03-31 19:07:00` -> `2021-03-31`; a date or a financial year (`2023/24`) as it is."""
    return value[:10] if value and len(value) > 10 and value[4] == "-" else value


def _print_human(status: Status) -> None:
    print(f"build warehouse: {status.warehouse}")
    published = f" (published {utc_label(status.serving_published_at)})" if status.serving_published_at else ""
    print(f"serving file:    {status.serving or 'none (nothing published yet)'}{published}")
    if not status.sources:
        print("nothing loaded yet: run `concordat ingest SOURCE FILE` (or `concordat run` for demo data)")
    for s in status.sources:
        print(
            f"  {s.source:<22} {s.rows:>10,} rows from {s.files_loaded} file(s); periods {_day(s.period_from)} .. "
            f"{_day(s.period_to)}; last file {s.last_file} at {utc_label(s.last_loaded_at)}; "
            f"{s.rows_quarantined:,} quarantined"
        )
    build = status.last_build
    print(
        f"last build:      {utc_label(build['finished_at'])} ({'ok' if build['success'] else 'FAILED'})"
        if build
        else "last build:      none"
    )
    val = status.last_validation
    print(
        f"last validation: {utc_label(val['finished_at'])} ({'passed' if val['success'] else 'FAILED'})"
        if val
        else "last validation: none"
    )
    if status.files_loaded_since_build:
        n = status.files_loaded_since_build
        print(
            f"not yet built:   {n} file{'s' if n > 1 else ''} loaded since the last build: the marts and the "
            "dashboard leave them out; run `concordat build`, `concordat validate` and `concordat publish`"
        )


def run(args: argparse.Namespace) -> int:
    warehouse = paths.build_warehouse()
    if not warehouse.exists():
        raise UserInputError(f"no build warehouse at {warehouse}: run `concordat ingest` or `concordat run` first")
    status = collect(warehouse)
    if args.json:
        print(json.dumps(asdict(status), default=str))
    else:
        _print_human(status)
    return 0
