"""`concordat status`: what is loaded, the periods covered, the last build and validation, in words and as JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import duckdb
import pytest

from concordat.cli import main
from concordat.clock import utc_label
from concordat.contracts import CONTRACTS


def _raw_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        counts = {s: con.execute(f"select count(*) from raw.{s}").fetchone()[0] for s in CONTRACTS}
    finally:
        con.close()
    return {s: n for s, n in counts.items() if n}


def test_status_of_a_published_home(small_published_home: Path, use_home, capsys: pytest.CaptureFixture[str]) -> None:
    with use_home(small_published_home):
        assert main(["status"]) == 0
        text = capsys.readouterr().out
        assert main(["status", "--json"]) == 0
        summary = json.loads(capsys.readouterr().out)

    counts = _raw_counts(small_published_home / "warehouse.duckdb")
    listed = {m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"^  (\w+) +([\d,]+) rows from", text, re.M)}
    assert listed == counts and len(counts) >= 5
    assert f"serving file:    {small_published_home / 'serving.duckdb'} (published " in text
    assert "not yet built" not in text
    assert re.search(r"^last build:      \d{4}-\d\d-\d\d \d\d:\d\d UTC \(ok\)$", text, re.M), text
    assert re.search(r"^last validation: \d{4}-\d\d-\d\d \d\d:\d\d UTC \(passed\)$", text, re.M), text
    # s136 periods are days, not timestamps
    assert re.search(r"^  s136 .* periods \d{4}-\d\d-\d\d \.\. \d{4}-\d\d-\d\d; ", text, re.M), text

    assert {s["source"]: s["rows"] for s in summary["sources"]} == counts
    assert summary["last_build"]["success"] is True and summary["last_validation"]["success"] is True
    # build and validation are both stamped in UTC: the validation of a build finishes after it
    built, validated = (dt.datetime.fromisoformat(summary[k]["finished_at"]) for k in ("last_build", "last_validation"))
    assert built <= validated <= dt.datetime.now(dt.UTC).replace(tzinfo=None)


def test_status_says_when_loaded_files_are_not_built_yet(
    small_published_home: Path, use_home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a published run, a newly loaded file is not in the marts or on the dashboard until it is built."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(small_published_home, home)
    extract = tmp_path / "s136_june.csv"
    extract.write_text("detention_id,force,detained_at\nJUNE-1,E23000011,01/06/2024 10:00\n", encoding="utf-8")
    with use_home(home):
        assert main(["status", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["files_loaded_since_build"] == 0
        assert main(["ingest", "s136", str(extract)]) == 0
        capsys.readouterr()
        assert main(["status"]) == 0
        text = capsys.readouterr().out
        assert main(["status", "--json"]) == 0
        summary = json.loads(capsys.readouterr().out)
    assert summary["files_loaded_since_build"] == 1 and summary["serving_published_at"]
    assert "not yet built:   1 file loaded since the last build" in text
    assert re.search(r"^serving file: .* \(published \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$", text, re.M), text


def test_status_without_a_warehouse_is_one_line_and_exit_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "no build warehouse" in err


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (dt.datetime(2026, 3, 29, 1, 30, 59, 123456), "2026-03-29 01:30 UTC"),
        ("2026-11-23T18:42:46.308137", "2026-11-23 18:42 UTC"),
        ("2026-11-23 18:42:46", "2026-11-23 18:42 UTC"),
        (None, "none"),
    ],
)
def test_utc_label(value: object, label: str) -> None:
    assert utc_label(value) == label
