"""A load is all or nothing: a failure inside the transaction, or a kill, leaves every count as it was.

Faults are injected at each step of the load transaction (ingest.faults): in-process with an exception, and in
a subprocess that holds inside the transaction until the test SIGKILLs it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_ingest import SOURCES, good_rows, header, ingest  # shared helpers (tests/ is on sys.path)

from concordat import paths
from concordat.cli import main
from concordat.contracts import CONTRACTS
from ingest.examples import write_csv
from ingest.faults import STEPS


def snapshot(source: str) -> dict[str, object]:
    """Every row of the source's raw table and the quarantine, and the successful attempts in the log."""
    with duckdb.connect(str(paths.build_warehouse()), read_only=True) as con:
        return {
            "rows": con.execute(f"SELECT * FROM raw.{source} ORDER BY ALL").fetchall(),
            "quarantine": con.execute("SELECT * FROM raw.quarantine ORDER BY ALL").fetchall(),
            "loaded": con.execute("SELECT * FROM raw.ingest_log WHERE status = 'loaded' ORDER BY ALL").fetchall(),
        }


def first_and_reissue(source: str, tmp_path: Path, rows: int = 6) -> tuple[Path, Path]:
    """A first file, loaded; and a re-issue overlapping half its keys, with one bad row, not yet loaded."""
    contract = CONTRACTS[source]
    first = write_csv(tmp_path / "first.csv", header(contract), good_rows(contract, rows))
    reissue_rows = good_rows(contract, rows, start=rows // 2)
    reissue_rows[-1][contract.required_columns[0]] = ""
    reissue = write_csv(
        tmp_path / "reissue.csv", [*header(contract), "Batch"], [{**r, "Batch": "2"} for r in reissue_rows]
    )
    code, (summary,) = ingest(source, str(first))
    assert code == 0 and summary["rows_loaded"] == rows
    return first, reissue


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("source", SOURCES)
def test_failure_inside_the_transaction_changes_nothing(
    source: str, step: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, reissue = first_and_reissue(source, tmp_path)
    before = snapshot(source)
    monkeypatch.setenv("CONCORDAT_INGEST_FAIL_AFTER", step)
    assert main(["ingest", source, str(reissue)]) == 3
    assert f"injected failure after {step}" in capsys.readouterr().err
    assert snapshot(source) == before
    with duckdb.connect(str(paths.build_warehouse()), read_only=True) as con:
        assert con.execute("SELECT status FROM raw.ingest_log ORDER BY started_at DESC LIMIT 1").fetchall() == [
            ("failed",)
        ]
    # Nothing was recorded as loaded, so the same file loads normally afterwards (it is no duplicate).
    monkeypatch.delenv("CONCORDAT_INGEST_FAIL_AFTER")
    code, (summary,) = ingest(source, str(reissue))
    assert code == 0 and summary["rows_replaced"] == 3 and summary["rows_quarantined"] == 1


#: Rows in the file being killed: large for s136 (the commit has real data to write), enough for the others.
KILL_ROWS = {"s136": 100_000, "ho_s136": 4_000}


def _kill_mid_transaction(source: str, path: Path, step: str) -> None:
    env = {**os.environ, "CONCORDAT_INGEST_HANG_AFTER": step}
    proc = subprocess.Popen(
        [sys.executable, "-m", "concordat.cli", "ingest", source, str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # printed once the transaction has reached `step`
        assert line.strip() == f"ingest: holding after {step}", line
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES)
def test_killed_load_leaves_the_warehouse_as_it_was(source: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    first_and_reissue(source, tmp_path)
    before = snapshot(source)
    rows = KILL_ROWS.get(source, 20_000)
    big = write_csv(tmp_path / "big.csv", header(contract), good_rows(contract, rows, start=3))
    steps = ("insert", "log") if source == "s136" else ("log",)
    for step in steps:
        _kill_mid_transaction(source, big, step)
        assert snapshot(source) == before  # reopens (recovering the WAL) with every count unchanged
    code, (summary,) = ingest(source, str(big))  # and the warehouse is still writable
    assert code == 0 and summary["rows_loaded"] == rows and summary["rows_replaced"] == 3
