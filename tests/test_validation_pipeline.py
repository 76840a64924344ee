"""End to end on the real pipeline: the small demo, ingested and built by dbt, validates clean and publishes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from concordat.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture()
def built_copy(small_built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the session's built demo warehouse (validate and publish write to it)."""
    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path))
    shutil.copyfile(small_built_home / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    return tmp_path


def test_the_demo_build_validates_clean_and_publishes(
    built_copy: Path, small_demo_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--json"]) == 0, capsys.readouterr()
    summary = json.loads(capsys.readouterr().out)
    assert summary["success"] and summary["critical_failed"] == 0, summary["failures"]
    # Every suite found its data: nothing was skipped for want of a table.
    assert not [f for f in summary["failures"] if f["expectation"] == "batch_available"]
    assert all(s["checks"] > 0 for s in summary["suites"].values())
    con = duckdb.connect(str(built_copy / "warehouse.duckdb"), read_only=True)
    try:
        lineage = con.execute(
            "select observed_value from marts.dq_results where suite = 'reconcile_fact_lineage' "
            "and expectation = 'expect_column_values_to_not_be_null'"
        ).fetchone()[0]
        facts = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name like 'fct%'"
        ).fetchone()[0]
    finally:
        con.close()
    assert facts >= 4 and lineage == f"0 of {facts} rows unexpected"  # every fact table is traceable
    assert (built_copy / "data_docs" / "index.html").exists()

    assert main(["publish"]) == 0
    assert (built_copy / "serving.duckdb").exists()

    # Re-sending a file already loaded is logged (as a duplicate): the build is no longer the one validated.
    assert main(["ingest", "s136", str(small_demo_dir / "s136.csv")]) == 0
    capsys.readouterr()
    assert main(["publish"]) == 1
    assert "changed after it was validated" in capsys.readouterr().err
