"""`concordat build`: run `dbt build` (seeds, models, tests) in-process on the build warehouse.

The raw tables are created first (so dbt finds every source even before a source is loaded), on a connection
closed before dbt starts: DuckDB has one writer. dbt's own log goes to `$CONCORDAT_HOME/logs/dbt/`, its
artefacts to `$CONCORDAT_HOME/dbt/target/`, so the repository stays clean and parallel homes never collide.
One DuckDB connection serves the whole dbt run (the profile's keep_open) and is closed explicitly when dbt
returns, so the file is free for the next writer (the tests check this). The user sees one summary:
what ran, and each failure with its node and message. Then the build is recorded in `marts.build_runs` and the
method tables (SPC, intervention impact) are written when that layer is installed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from concordat import database, paths, progress
from concordat.clock import utc_now
from concordat.errors import InternalError
from concordat.logs import log_exception

#: Environment variable the dbt profile (warehouse/profiles.yml) reads the DuckDB path from.
WAREHOUSE_ENV = "CONCORDAT_WAREHOUSE"
#: The profile keeps one DuckDB connection open for the whole run when this is True (released below).
KEEP_OPEN_ENV = "CONCORDAT_DBT_KEEP_OPEN"
_OK_STATUSES = {"success", "pass", "skipped", "warn", "no-op"}


@dataclass
class DbtOutcome:
    """What one dbt invocation did: counts per resource type and status, and each failure."""

    success: bool
    command: str = "build"
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (node, message)
    error: str | None = None
    elapsed_s: float = 0.0

    def summary(self) -> str:
        by_type: dict[str, Counter[str]] = {}
        for (resource_type, status), n in sorted(self.counts.items()):
            by_type.setdefault(resource_type, Counter())[status] += n
        parts = [
            f"{sum(c.values())} {rtype}s ({', '.join(f'{n} {s}' for s, n in sorted(c.items()))})"
            for rtype, c in by_type.items()
        ]
        head = f"dbt {self.command} " + ("succeeded" if self.success else "FAILED") + f" in {self.elapsed_s:.1f} s"
        lines = [head + (": " + "; ".join(parts) if parts else "")]
        if self.error:
            lines.append(f"  error: {self.error}")
        lines += [f"  failed: {node}: {message}" for node, message in self.failures]
        return "\n".join(lines)


def dbt_dirs(home: Path) -> tuple[Path, Path]:
    """(target path, log path) for dbt runs against one CONCORDAT_HOME."""
    return home / "dbt" / "target", home / "logs" / "dbt"


@contextmanager
def _warehouse_env(warehouse: Path) -> Iterator[None]:
    """Point the dbt profile at the warehouse file for the duration of one invocation; no usage tracking."""
    settings = {
        WAREHOUSE_ENV: str(warehouse),
        KEEP_OPEN_ENV: "True",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_VERSION_CHECK": "False",
    }
    old = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        _release_duckdb()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open (keep_open), so the file is free when dbt returns.

    dbt-duckdb holds it in a class-level environment with no public close; the tests check the file can be
    opened read-write right after every build.
    """
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            env.close()
            DuckDBConnectionManager._ENV = None


def _progress_callback(event: object) -> None:
    """Show each finished node on a terminal (dbt's own stdout log is off)."""
    info = getattr(event, "info", None)
    if info is None or info.name not in {"LogModelResult", "LogTestResult", "LogSeedResult"}:
        return
    data = getattr(event, "data", None)
    node = getattr(getattr(data, "node_info", None), "node_name", "") if data is not None else ""
    progress.update(f"dbt: {node} done")


def invoke_dbt(command: Sequence[str], warehouse: Path, home: Path) -> DbtOutcome:
    """Run one dbt command (e.g. ["build"], ["docs", "generate"]) in-process on `warehouse`; never raises for
    a dbt failure (the outcome says what failed)."""
    from dbt.cli.main import dbtRunner

    target_path, log_path = dbt_dirs(home)
    argv = [
        *command,
        "--project-dir",
        str(paths.WAREHOUSE_PROJECT),
        "--profiles-dir",
        str(paths.WAREHOUSE_PROJECT),
        "--target-path",
        str(target_path),
        "--log-path",
        str(log_path),
        "--log-level",
        "none",
        "--log-level-file",
        "info",
        "--no-use-colors",
    ]
    start = time.perf_counter()
    with _warehouse_env(warehouse):
        res = dbtRunner(callbacks=[_progress_callback]).invoke(argv)
    outcome = DbtOutcome(
        success=bool(res.success),
        command=" ".join(c for c in command[:2] if not c.startswith("-")),
        elapsed_s=time.perf_counter() - start,
    )
    if res.exception is not None:
        outcome.error = f"{type(res.exception).__name__}: {res.exception}".strip()
    for result in getattr(res.result, "results", None) or []:
        status = str(getattr(result.status, "value", result.status))
        node = result.node
        if status == "no-op":  # exposures: nothing runs
            continue
        outcome.counts[
            (node.resource_type.value if hasattr(node.resource_type, "value") else str(node.resource_type), status)
        ] += 1
        if status not in _OK_STATUSES:
            message = " ".join(str(result.message or status).split())
            outcome.failures.append((node.unique_id, message))
    if progress.enabled():
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    return outcome


def ensure_raw_tables(warehouse: Path) -> None:
    """Create the raw schema and tables on a short-lived connection (closed before dbt opens the file)."""
    from ingest.schema import ensure_raw_tables as create

    con = database.connect(warehouse)
    try:
        create(con)
    finally:
        con.close()


def record_build(
    warehouse: Path, build_id: str, started_at: datetime, finished_at: datetime, success: bool, full_refresh: bool
) -> None:
    """Append the build to marts.build_runs, then (after a successful build) write the method tables; if those
    fail, the build is recorded as failed (validate/publish must not pass it) and the error raised."""
    con = database.connect(warehouse)
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        con.execute(
            "CREATE TABLE IF NOT EXISTS marts.build_runs (build_id VARCHAR, started_at TIMESTAMP, "
            "finished_at TIMESTAMP, success BOOLEAN, full_refresh BOOLEAN)"
        )
        con.execute(
            "INSERT INTO marts.build_runs VALUES (?, ?, ?, ?, ?)",
            [build_id, started_at, finished_at, success, full_refresh],
        )
        write_method_tables = _method_tables_writer() if success else None
        if write_method_tables is not None:
            try:
                write_method_tables(con)
            except Exception as exc:
                con.execute("UPDATE marts.build_runs SET success = false WHERE build_id = ?", [build_id])
                where = log_exception("build", exc)
                raise InternalError(
                    f"dbt build succeeded but the method tables failed: {type(exc).__name__}: {exc} "
                    f"(details in {where})"
                ) from exc
    finally:
        con.close()


def _method_tables_writer() -> Callable[[duckdb.DuckDBPyConnection], object] | None:
    """concordat.methods.tables.write_method_tables, or None while the methods layer is not installed."""
    try:
        from concordat.methods.tables import write_method_tables
    except ModuleNotFoundError as exc:
        if exc.name in {"concordat.methods", "concordat.methods.tables"}:
            return None
        raise
    return write_method_tables


def build(full_refresh: bool = False) -> DbtOutcome:
    """Run `dbt build` on the build warehouse of CONCORDAT_HOME and record it; the file is closed on return."""
    home = paths.home()
    warehouse = paths.build_warehouse()
    ensure_raw_tables(warehouse)
    build_id = uuid.uuid4().hex
    started_at = utc_now()
    # Unit tests check the SQL logic, not the data: they run in the test suite (dbt's advice), not on every build.
    command = ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else [])]
    with progress.step("dbt build"):
        outcome = invoke_dbt(command, warehouse, home)
    record_build(warehouse, build_id, started_at, utc_now(), outcome.success, full_refresh)
    return outcome


def run(args: argparse.Namespace) -> int:
    outcome = build(full_refresh=bool(getattr(args, "full_refresh", False)))
    print(outcome.summary(), flush=True)
    if not outcome.success:
        what = f"{len(outcome.failures)} failing nodes" if outcome.failures else "dbt could not run"
        raise InternalError(f"dbt build failed ({what}); details in {dbt_dirs(paths.home())[1]}")
    return 0
