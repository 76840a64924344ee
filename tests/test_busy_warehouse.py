"""A build warehouse another process holds open: every command that opens it stops at once with one line naming
the file and that process (exit 2), writes nothing, and prints no traceback.

DuckDB allows one writer per file, and no reader while a writer holds it. The holder here is a real second
process with a read-write connection, as a long ingest or build would be.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from concordat.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "s136.csv"
_HOLD = "import duckdb, sys; con = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()"


@contextlib.contextmanager
def _held(warehouse: Path) -> Iterator[int]:
    """Hold `warehouse` open for writing in another process, whose PID is yielded, until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(warehouse)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        assert holder.stdin is not None
        holder.stdin.close()  # the holder reads stdin to its end, then exits and frees the file
        holder.wait(timeout=60)


@pytest.fixture
def held_warehouse(home: Path) -> Iterator[tuple[Path, int]]:
    """(the build warehouse of this test's home (conftest), the PID of the process holding it open for writing)."""
    warehouse = home / "warehouse.duckdb"
    with _held(warehouse) as pid:
        yield warehouse, pid


@pytest.mark.parametrize(
    "command",
    [
        ["ingest", "s136", str(EXAMPLE)],
        ["ingest", "s136", str(EXAMPLE), "--json"],
        ["build"],
        ["validate"],
        ["publish"],
        ["status"],
        ["status", "--json"],
    ],
    ids=" ".join,
)
def test_a_held_warehouse_is_one_line_naming_the_holder(
    command: list[str], held_warehouse: tuple[Path, int], capsys: pytest.CaptureFixture
) -> None:
    warehouse, pid = held_warehouse
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"concordat {command[0]}: cannot open {warehouse}: process {pid} is using it (another concordat ingest, "
        "build, validate or publish still running?); run this again when it has finished\n"
    )
    assert not (warehouse.parent / "serving.duckdb").exists()


def test_nothing_is_written_while_the_warehouse_is_held(home: Path) -> None:
    warehouse = home / "warehouse.duckdb"
    with _held(warehouse):
        for command in (["ingest", "s136", str(EXAMPLE)], ["build"], ["validate"], ["publish"]):
            assert main(command) == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
    assert sorted(p.name for p in home.iterdir()) == ["warehouse.duckdb"]


def test_a_file_that_is_not_a_duckdb_database_is_one_line(home: Path, capsys: pytest.CaptureFixture) -> None:
    (home / "warehouse.duckdb").write_text("not a database\n", encoding="utf-8")
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"concordat status: cannot open {home / 'warehouse.duckdb'}: ") and err.count("\n") == 1
    assert "not a valid DuckDB database" in err
