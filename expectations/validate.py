"""Validate a build warehouse: every suite on its batch, results stored in the warehouse, Data Docs built.

The warehouse is opened read-only while batches are read (a DuckDB file has one writer; reading does not block
other readers), then read-write only for the moment it takes to write ``marts.dq_runs`` and ``marts.dq_results``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from concordat import database, paths, progress
from concordat.clock import uk_now, utc_now
from concordat.errors import UserInputError
from concordat.fingerprint import build_fingerprint
from expectations import batches, results
from expectations.errors import BatchUnavailable
from expectations.gx_context import Runner, load_suite_files


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


@contextmanager
def open_warehouse(path: Path, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the build warehouse, with one-line errors for a missing or busy file."""
    if not path.exists():
        raise UserInputError(f"no build warehouse at {path}: run `concordat ingest` and `concordat build` first")
    con = database.connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def validate(warehouse: Path | None = None, json_mode: bool = False) -> results.Run:
    """Run every suite on the build warehouse; store and return the run."""
    warehouse = warehouse or paths.build_warehouse()
    started = utc_now()
    suites = load_suite_files()
    now = uk_now().isoformat(sep=" ", timespec="seconds")
    with open_warehouse(warehouse, read_only=True) as con:
        runner = Runner.open(paths.home())  # once the warehouse is open: a busy or missing one leaves no GX files
        run = results.Run(new_run_id(started), started, build_fingerprint(con))
        for i, suite in enumerate(suites, 1):
            progress.update(f"validating {suite['name']} ({i}/{len(suites)})", json_mode)
            clock = time.perf_counter()
            try:
                frame = batches.build(con, suite, now)
            except (BatchUnavailable, duckdb.Error) as exc:
                run.results.append(results.unavailable(suite, str(exc).splitlines()[0]))
                run.suite_seconds[suite["name"]] = time.perf_counter() - clock
                continue
            index_columns = suite["meta"]["batch"].get("index_columns", [])
            gx_result = runner.validate(suite["name"], frame, index_columns, run.run_id)
            run.results += results.from_gx(suite, gx_result)
            run.suite_seconds[suite["name"]] = time.perf_counter() - clock
            del frame
    progress.update("building Data Docs", json_mode)
    run.data_docs = str(runner.build_data_docs())
    if progress.enabled(json_mode):
        progress.update("", json_mode)
    run.finished_at = utc_now()
    with open_warehouse(warehouse, read_only=False) as con:
        results.store(con, run)
    return run
