"""`concordat publish`: copy the validated build warehouse to the serving file, atomically.

Partners act on what the dashboard shows, so only a build whose latest validation passed - and that has not
changed since (same fingerprint: no ingest or build after it) - is published. The copy is made while this
process holds the build warehouse's write lock (so no writer can change it mid-copy), after a CHECKPOINT
(so the file holds everything, without its write-ahead log), to ``serving.duckdb.tmp-<pid>``, fsynced, then
renamed over ``serving.duckdb``. A dashboard holding the old serving file open keeps reading the old file (the
rename leaves its inode alone); connections opened after the rename see the new data.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from concordat import database, paths
from concordat.errors import InternalError, UserInputError, ValidationFailed
from concordat.fingerprint import build_fingerprint


@dataclass(frozen=True)
class Validation:
    run_id: str
    finished_at: datetime | None
    success: bool
    fingerprint: str
    critical_failed: int


def latest_validation(con: duckdb.DuckDBPyConnection) -> Validation | None:
    if not database.table_exists(con, "marts", "dq_runs"):
        return None
    row = con.execute(
        "select run_id, finished_at, success, fingerprint, critical_failed from marts.dq_runs "
        "order by finished_at desc nulls last, started_at desc limit 1"
    ).fetchone()
    return Validation(row[0], row[1], bool(row[2]), row[3], int(row[4] or 0)) if row else None


def check_publishable(con: duckdb.DuckDBPyConnection) -> Validation:
    """The validation that vouches for this build; ValidationFailed (one clear line) when there is none."""
    latest = latest_validation(con)
    if latest is None:
        raise ValidationFailed("this build has not been validated: run `concordat validate` first; nothing published")
    if not latest.success:
        raise ValidationFailed(
            f"the latest validation ({latest.run_id}) failed {latest.critical_failed} critical check(s); "
            "fix them and validate again; nothing published"
        )
    if build_fingerprint(con) != latest.fingerprint:
        raise ValidationFailed(
            f"the build changed after it was validated ({latest.run_id}): an ingest or build ran since; "
            "run `concordat validate` again; nothing published"
        )
    return latest


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_checkpointed(con: duckdb.DuckDBPyConnection, warehouse: Path, target: Path) -> None:
    """Merge the WAL into the file, then copy the file (the caller's connection holds the write lock)."""
    con.execute("checkpoint")
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise InternalError(f"{wal} still holds changes after a checkpoint; not publishing a partial copy")
    shutil.copyfile(warehouse, target)
    _fsync(target)


def _verify(copy: Path, run_id: str) -> None:
    """The copy opens read-only and carries the validation run that vouches for it."""
    con = duckdb.connect(str(copy), read_only=True)
    try:
        (found,) = con.execute("select count(*) from marts.dq_runs where run_id = ?", [run_id]).fetchone()
    finally:
        con.close()
    if not found:
        raise InternalError(f"the copy {copy} does not carry validation run {run_id}")


def _remove_abandoned_copies(serving: Path) -> None:
    """Delete `serving.duckdb.tmp-<pid>` files left by a publish that was killed (its process is gone)."""
    for tmp in serving.parent.glob(f"{serving.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        except PermissionError:  # alive, another user's: leave it
            pass


def publish(warehouse: Path | None = None, serving: Path | None = None) -> Validation:
    """Publish the build warehouse to the serving file; return the validation that vouched for it."""
    warehouse = warehouse or paths.build_warehouse()
    serving = serving or paths.serving_warehouse()
    if not warehouse.exists():
        raise UserInputError(f"no build warehouse at {warehouse}: run `concordat build` and `concordat validate` first")
    _remove_abandoned_copies(serving)
    tmp = serving.with_name(f"{serving.name}.tmp-{os.getpid()}")
    try:
        con = database.connect(warehouse)
        try:
            validation = check_publishable(con)
            _copy_checkpointed(con, warehouse, tmp)
        finally:
            con.close()
        _verify(tmp, validation.run_id)
        stale_wal = serving.with_name(serving.name + ".wal")
        with contextlib.suppress(FileNotFoundError):
            stale_wal.unlink()  # never replay another file's log over the new copy
        os.replace(tmp, serving)
        _fsync(serving.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return validation


def run(args: argparse.Namespace) -> int:
    validation = publish()
    serving = paths.serving_warehouse()
    size_mb = serving.stat().st_size / 1_000_000
    print(f"published {serving} ({size_mb:.1f} MB), validated by run {validation.run_id}", flush=True)
    return 0
