"""How long `concordat validate` and `concordat publish` take on a national-scale build warehouse.

Needs a built warehouse: give `--home DIR` (a CONCORDAT_HOME where `concordat run --scale national --no-serve`
or ingest + build has run), or let the benchmark make one (demo national -> ingest -> build, several minutes).
Each repeat validates a fresh copy of the warehouse (so the dq tables do not grow), then publishes it; the
median is kept because the machine is shared. Per suite: seconds (batch read in DuckDB + GX) and batch rows.
Writes `results/validate.json`.

    .venv/bin/python -m benchmarks.bench_validate [--home DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import write_result

REPEATS = 3
#: What "reasonable time" means for the analyst's monthly cycle at national scale (about 320k detentions).
VALIDATE_TARGET_SECONDS = 120.0


def _build_national(home: Path) -> None:
    env = {**os.environ, "CONCORDAT_HOME": str(home), "CONCORDAT_PSEUDO_KEY": "benchmark-key"}
    subprocess.run(
        [sys.executable, "-m", "concordat.cli", "run", "--scale", "national", "--no-serve"],
        check=False,  # a failed validation still leaves a built warehouse to measure
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _table_rows(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = ["raw.s136", "raw.quarantine", "marts.kpi_values", "marts.fct_s136_detentions", "marts.spc_points"]
        out = {}
        for table in tables:
            try:
                out[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
            except duckdb.Error:
                out[table] = None
        return out
    finally:
        con.close()


def _once(source: Path, scratch: Path) -> dict[str, object]:
    from concordat.publish import publish
    from expectations.validate import validate

    home = Path(tempfile.mkdtemp(dir=scratch))
    os.environ["CONCORDAT_HOME"] = str(home)
    warehouse = home / "warehouse.duckdb"
    shutil.copyfile(source, warehouse)
    start = time.perf_counter()
    run = validate(warehouse, json_mode=True)
    validate_seconds = time.perf_counter() - start
    publish_seconds = None
    if run.success:
        start = time.perf_counter()
        publish(warehouse, home / "serving.duckdb")
        publish_seconds = time.perf_counter() - start
    shutil.rmtree(home)
    return {
        "validate_seconds": validate_seconds,
        "publish_seconds": publish_seconds,
        "success": run.success,
        "checks": len(run.results),
        "critical_failed": len(run.failed("critical")),
        "suite_seconds": run.suite_seconds,
    }


def measure(home: Path, repeats: int) -> dict[str, object]:
    warehouse = home / "warehouse.duckdb"
    scratch = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    try:
        runs = [_once(warehouse, scratch) for _ in range(repeats)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    validate_median = statistics.median(r["validate_seconds"] for r in runs)
    publishes = [r["publish_seconds"] for r in runs if r["publish_seconds"] is not None]
    suites = {
        name: round(statistics.median(r["suite_seconds"].get(name, 0.0) for r in runs), 2)
        for name in runs[0]["suite_seconds"]
    }
    return {
        "repeats": repeats,
        "warehouse_bytes": warehouse.stat().st_size,
        "table_rows": _table_rows(warehouse),
        "targets": {"validate_seconds": VALIDATE_TARGET_SECONDS},
        "validate_seconds": round(validate_median, 2),
        "validate_runs": [round(r["validate_seconds"], 2) for r in runs],
        "publish_seconds": round(statistics.median(publishes), 2) if publishes else None,
        "publish_runs": [round(p, 2) for p in publishes],
        "validation_success": all(r["success"] for r in runs),
        "checks": runs[0]["checks"],
        "critical_failed": runs[0]["critical_failed"],
        "suite_seconds_median": dict(sorted(suites.items(), key=lambda kv: -kv[1])),
        "meets_target": validate_median <= VALIDATE_TARGET_SECONDS,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="a CONCORDAT_HOME holding a built warehouse")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv if argv is not None else [])
    home = args.home
    made = None
    if home is None:
        made = Path(tempfile.mkdtemp(prefix="bench-national-"))
        home = made
        _build_national(home)
    try:
        result = {"scale": "national", **measure(home, args.repeats)}
    finally:
        if made:
            shutil.rmtree(made, ignore_errors=True)
    path = write_result("validate", result)
    print(f"validate {result['validate_seconds']} s, publish {result['publish_seconds']} s -> {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
