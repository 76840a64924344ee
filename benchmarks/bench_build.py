"""How long `concordat build` takes on the `national` demo, and what dbt adds over the SQL it runs.

Steps, in one temporary CONCORDAT_HOME: generate `national` (subprocess), ingest every file (in-process CLI),
keep a copy of the ingested warehouse, then
1. `concordat build` (in-process: dbt build + build_runs + method tables), timed as a whole and dbt alone
   (the whole dbt invocation, and dbt's own run_results elapsed time, which leaves out parsing);
2. dbt's fixed start-up: a `dbt build` that selects nothing, parsing from scratch as the first build did;
3. the same compiled SQL run directly in DuckDB on the copy: seeds read with read_csv, then every model
   (CREATE TABLE/VIEW ... AS its compiled SQL) and every data test (count of failing rows), in the order dbt
   finished them.
Targets (issue 4): build under 60 s on this machine; dbt time <= 2 x direct time + start-up.
Writes results/build.json. The machine is shared: the JSON records the load average and the build's CPU time
so runs can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import generate_demo, write_result

SCALE = "national"
BUILD_TARGET_SECONDS = 60.0
RATIO_TARGET = 2.0


def _cpu_seconds() -> float:
    """CPU time (user + system, all threads) of this process: with a loaded machine, wall time overstates."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _generate_and_ingest(home: Path) -> dict[str, float]:
    from concordat.cli import main as cli
    from concordat.pipeline import _ingest_inputs

    demo = home / "demo"
    start = time.perf_counter()
    generate_demo(demo, SCALE)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    for source, path in _ingest_inputs(demo):
        code = cli(["ingest", source, str(path)])
        if code != 0:
            raise RuntimeError(f"ingest {source} exited {code}")
    return {"generate_seconds": round(generated, 1), "ingest_seconds": round(time.perf_counter() - start, 1)}


def _run_compiled_sql(raw_copy: Path, target: Path) -> dict[str, float]:
    """Run dbt's compiled SQL directly in DuckDB on the ingested copy, in dbt's finishing order."""
    from concordat import paths

    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = manifest["nodes"]
    con = duckdb.connect(str(raw_copy))
    timings = {"seed": 0.0, "model": 0.0, "test": 0.0}
    try:
        for result in results:
            node = nodes.get(result["unique_id"])  # exposures are not nodes: nothing runs for them
            if node is None:
                continue
            kind = node["resource_type"]
            start = time.perf_counter()
            if kind == "seed":
                csv_path = paths.WAREHOUSE_PROJECT / node["original_file_path"]
                types = node["config"].get("column_types") or {}
                con.execute("CREATE SCHEMA IF NOT EXISTS " + node["schema"])
                columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in types.items()) + "}"
                con.execute(
                    f"CREATE OR REPLACE TABLE {node['relation_name']} AS SELECT * FROM read_csv(?, header = true"
                    + (f", columns = {columns})" if types else ")"),
                    [str(csv_path)],
                )
            elif kind == "model":
                con.execute("CREATE SCHEMA IF NOT EXISTS " + node["schema"])
                what = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
                con.execute(f"CREATE OR REPLACE {what} {node['relation_name']} AS {node['compiled_code']}")
            elif kind == "test":
                con.execute(f"SELECT count(*) FROM ({node['compiled_code']}) AS t").fetchone()
            else:
                continue
            timings[kind] += time.perf_counter() - start
        kpi_rows = con.execute("SELECT count(*) FROM marts.kpi_values").fetchone()[0]
    finally:
        con.close()
    return {**{f"{k}_seconds": round(v, 2) for k, v in timings.items()}, "kpi_values_rows": kpi_rows}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary home (printed)")
    args = parser.parse_args(argv if argv is not None else [])
    from concordat import build, paths

    tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
    old_home = os.environ.get("CONCORDAT_HOME")
    os.environ["CONCORDAT_HOME"] = str(tmp)
    os.environ.setdefault("CONCORDAT_PSEUDO_KEY", "benchmark-key")
    try:
        prep = _generate_and_ingest(tmp)
        # same file name as the build warehouse: compiled SQL names the database ("warehouse")
        raw_copy = tmp / "direct" / "warehouse.duckdb"
        raw_copy.parent.mkdir()
        shutil.copyfile(paths.build_warehouse(), raw_copy)
        load_before = os.getloadavg()[0]

        start, cpu_start = time.perf_counter(), _cpu_seconds()
        outcome = build.build(full_refresh=False)
        concordat_build, build_cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
        assert outcome.success, outcome.summary()
        target, _ = build.dbt_dirs(tmp)
        saved = tmp / "target-build"
        shutil.copytree(target, saved)
        con = duckdb.connect(str(paths.build_warehouse()), read_only=True)
        try:
            dbt_kpi_rows = con.execute("SELECT count(*) FROM marts.kpi_values").fetchone()[0]
            detentions = con.execute("SELECT count(*) FROM marts.fct_s136_detentions").fetchone()[0]
        finally:
            con.close()
        dbt_seconds = outcome.elapsed_s  # the whole in-process invocation: parse, connect, run, tests
        dbt_run_seconds = json.loads((saved / "run_results.json").read_text())["elapsed_time"]

        # fixed start-up: a build that selects nothing, parsing from scratch like the first build did
        start = time.perf_counter()
        nothing = build.invoke_dbt(
            ["build", "--select", "tag:no_such_tag", "--no-partial-parse"], paths.build_warehouse(), tmp
        )
        startup = time.perf_counter() - start
        assert nothing.success, nothing.summary()

        direct = _run_compiled_sql(raw_copy, saved)
        direct_seconds = direct["seed_seconds"] + direct["model_seconds"] + direct["test_seconds"]
        load_after = os.getloadavg()[0]
    finally:
        if old_home is None:
            os.environ.pop("CONCORDAT_HOME", None)
        else:
            os.environ["CONCORDAT_HOME"] = old_home
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    ratio = dbt_seconds / direct_seconds
    results: dict[str, object] = {
        "scale": SCALE,
        **prep,
        "s136_detentions": detentions,
        "concordat_build_seconds": round(concordat_build, 1),
        "concordat_build_cpu_seconds": round(build_cpu, 1),
        "dbt_build_seconds": round(dbt_seconds, 1),
        "dbt_run_results_elapsed_seconds": round(dbt_run_seconds, 1),
        "dbt_startup_seconds": round(startup, 1),
        "direct_sql": direct,
        "direct_sql_seconds": round(direct_seconds, 1),
        "ratio_dbt_to_direct": round(ratio, 2),
        "same_kpi_values_rows": dbt_kpi_rows == direct["kpi_values_rows"],
        "load_average_1min": [round(load_before, 1), round(load_after, 1)],
        "targets": {
            "build_under_60_s": concordat_build < BUILD_TARGET_SECONDS,
            "dbt_within_2x_direct_plus_startup": dbt_seconds <= RATIO_TARGET * direct_seconds + startup,
        },
    }
    path = write_result("build", results)
    print(json.dumps(results, indent=2))
    print(f"written to {path}" + (f"; home kept at {tmp}" if args.keep else ""))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
