"""The ingest benchmark still runs and reports what issue 3 asks for (on the small demo, once: not a timed test)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks import bench_ingest


@pytest.mark.slow
def test_ingest_benchmark_reports_rows_ratios_and_cpu(
    small_demo_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path / "home"))  # measure() points it at its own homes
    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "benchmark-test-key")
    result = bench_ingest.measure(small_demo_dir, repeats=2, scratch=tmp_path)
    manifest = json.loads((small_demo_dir / "manifest.json").read_text(encoding="utf-8"))

    sources = result["sources"]
    assert set(sources) == set(manifest["files"])
    for source, entry in sources.items():
        assert entry["rows_read"] == manifest["row_counts"][manifest["files"][source]]
        assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_quarantined"] + entry["rows_skipped"]
        assert len(entry["ingest_runs"]) == 2 and entry["ingest_cpu_seconds"] > 0
        if entry["file"].endswith(".csv"):  # the bare load is of CSV files only
            assert entry["ratio_to_bare"] > 0 and entry["cpu_ratio_to_bare"] > 0 and len(entry["paired_ratios"]) == 2
        else:
            assert "ratio_to_bare" not in entry
    overall = result["overall"]
    assert overall["rows_read"] == sum(manifest["row_counts"].values())
    assert overall["ratio_to_bare"] > 0 and overall["cpu_ratio_to_bare"] > 0
    assert isinstance(overall["meets_ratio_target"], bool) and overall["meets_time_target"] is True
    assert os.environ["CONCORDAT_PSEUDO_KEY"] == "benchmark-test-key"
