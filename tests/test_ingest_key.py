"""One pseudonymisation key per warehouse: ingest refuses another key, so the same person always has the same
pseudonym (repeat detentions, officers linked across sources) instead of silently getting a second one.

Each attempt records the key's check value (the pseudonym of a fixed text) in `raw.ingest_log.key_check`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from concordat import paths, pseudonymise
from concordat.cli import main
from ingest.schema import INGEST_LOG_COLUMNS, ensure_raw_tables

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def _state() -> tuple[list[tuple], int]:
    with duckdb.connect(str(paths.build_warehouse()), read_only=True) as con:
        log = con.execute("SELECT file, status, key_check FROM raw.ingest_log ORDER BY started_at").fetchall()
        (rows,) = con.execute("SELECT count(*) FROM raw.custody").fetchone()
    return log, rows


def test_another_key_is_refused_and_loads_nothing(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "key-one")
    assert main(["ingest", "s136", str(EXAMPLES / "s136.csv")]) == 0
    check = pseudonymise.key_check(b"key-one")
    assert _state() == ([("s136.csv", "loaded", check)], 0)
    capsys.readouterr()

    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "key-two")
    assert main(["ingest", "custody", str(EXAMPLES / "custody.csv")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (
        f"concordat ingest: the pseudonymisation key ($CONCORDAT_PSEUDO_KEY) is not the one the files already in "
        f"{paths.build_warehouse()} were loaded with: the same person would get another pseudonym, breaking repeat "
        "detentions and officer links; use that key, or load into a new CONCORDAT_HOME\n"
    )
    assert _state() == ([("s136.csv", "loaded", check)], 0)  # nothing loaded, nothing logged

    # without the variable, the key file (created now, with a new key) is not that key either, and is named
    monkeypatch.delenv("CONCORDAT_PSEUDO_KEY")
    assert main(["ingest", "custody", str(EXAMPLES / "custody.csv")]) == 2
    assert f"pseudonymisation key ({paths.pseudonym_key_file()})" in capsys.readouterr().err

    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "key-one")
    assert main(["ingest", "custody", str(EXAMPLES / "custody.csv")]) == 0
    log, rows = _state()
    assert log == [("s136.csv", "loaded", check), ("custody.csv", "loaded", check)] and rows > 0


def test_a_warehouse_from_before_key_checks_gets_the_column_and_then_the_check(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_columns = [(n, t) for n, t in INGEST_LOG_COLUMNS if n != "key_check"]
    with duckdb.connect(str(paths.build_warehouse())) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(f"CREATE TABLE raw.ingest_log ({', '.join(f'{n} {t}' for n, t in old_columns)})")
        con.execute("INSERT INTO raw.ingest_log (file, status) VALUES ('old.csv', 'loaded')")
        ensure_raw_tables(con)
        columns = [r[0] for r in con.execute("DESCRIBE raw.ingest_log").fetchall()]
    assert columns == [n for n, _ in INGEST_LOG_COLUMNS]  # added at the end, the old row kept
    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "key-one")
    assert main(["ingest", "s136", str(EXAMPLES / "s136.csv")]) == 0  # nothing recorded to hold it against
    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "key-two")
    assert main(["ingest", "custody", str(EXAMPLES / "custody.csv")]) == 2
    log, _ = _state()
    assert sorted((f, s) for f, s, _ in log) == [("old.csv", "loaded"), ("s136.csv", "loaded")]


def test_the_key_check_reveals_only_which_key() -> None:
    checks = {pseudonymise.key_check(k) for k in (b"key-one", b"key-two", b"key-one")}
    assert len(checks) == 2
    assert pseudonymise.key_check(b"key-one") == pseudonymise.pseudonym(pseudonymise.KEY_CHECK_TEXT, b"key-one")
