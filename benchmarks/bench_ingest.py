"""How fast `concordat ingest` loads the `national` demo files, against a bare DuckDB load of the same files.

For every demo file: the full ingest (hash, stage, type, map, validate, pseudonymise, one transaction, close)
into a fresh warehouse, timed in-process; and, for the CSV files, the bare baseline
`CREATE TABLE t AS SELECT * FROM read_csv(file)` into a fresh DuckDB file, closed. Both in the same run,
interleaved, `REPEATS` times; the median of each is kept, because the machine is shared and noisy. CPU time
(user + system, all threads) is reported beside wall time: it says how much work each does, and moves less.
Targets (issue 3): ingest <= 2x the bare load; the national files in under 20 s. Writes `results/ingest.json`.

    .venv/bin/python -m benchmarks.bench_ingest [--demo DIR] [--repeats N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import generate_demo, write_result
from concordat.demo.files import FILES as DEMO_FILES  # in the order `concordat run` ingests them

REPEATS = 5
RATIO_TARGET = 2.0
NATIONAL_TARGET_SECONDS = 20.0


def _cpu_seconds() -> float:
    """CPU time of this process so far (user + system, all of DuckDB's threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ingest_once(source: str, path: Path, home: Path) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, JSON summary) of one `concordat ingest` into a fresh home."""
    from ingest.command import run

    os.environ["CONCORDAT_HOME"] = str(home)
    out = io.StringIO()
    start, cpu = time.perf_counter(), _cpu_seconds()
    with contextlib.redirect_stdout(out):
        code = run(argparse.Namespace(command="ingest", source=source, paths=[str(path)], json=True))
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    if code != 0:
        raise RuntimeError(f"ingest {source} {path} exited {code}")
    return seconds, cpu, json.loads(out.getvalue())


def _bare_once(path: Path, database: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the bare load into a fresh DuckDB file."""
    start, cpu = time.perf_counter(), _cpu_seconds()
    con = duckdb.connect(str(database))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(path)])
    con.close()
    return time.perf_counter() - start, _cpu_seconds() - cpu


def _demo(folder: Path) -> Path:
    return generate_demo(folder, "national")


def measure(demo: Path, repeats: int, scratch: Path) -> dict[str, object]:
    os.environ.setdefault("CONCORDAT_PSEUDO_KEY", "benchmark-key")
    per_source: dict[str, dict[str, object]] = {}
    for source, name in DEMO_FILES.items():
        path = demo / name
        if not path.exists():
            continue
        ingest_runs, bare_runs, ingest_cpu, bare_cpu, summary = [], [], [], [], {}
        for i in range(repeats):
            seconds, cpu, summary = _ingest_once(source, path, scratch / f"{source}-home-{i}")
            ingest_runs.append(seconds)
            ingest_cpu.append(cpu)
            if path.suffix == ".csv":
                seconds, cpu = _bare_once(path, scratch / f"{source}-bare-{i}.duckdb")
                bare_runs.append(seconds)
                bare_cpu.append(cpu)
        ingest_s = statistics.median(ingest_runs)
        entry: dict[str, object] = {
            "file": name,
            "bytes": path.stat().st_size,
            "rows_read": summary["rows_read"],
            "rows_loaded": summary["rows_loaded"],
            "rows_quarantined": summary["rows_quarantined"],
            "rows_skipped": summary["rows_skipped"],
            "ingest_seconds": round(ingest_s, 3),
            "ingest_runs": [round(s, 3) for s in ingest_runs],
            "ingest_cpu_seconds": round(statistics.median(ingest_cpu), 3),
            "rows_per_second": round(summary["rows_read"] / ingest_s),
        }
        if bare_runs:
            bare_s = statistics.median(bare_runs)
            entry |= {
                "bare_seconds": round(bare_s, 3),
                "bare_runs": [round(s, 3) for s in bare_runs],
                "ratio_to_bare": round(ingest_s / bare_s, 2),
                # each repeat's ingest over the bare load run right after it: how much the machine's noise moves it
                "paired_ratios": [round(i / b, 2) for i, b in zip(ingest_runs, bare_runs, strict=True)],
                # CPU time moves less with the machine's load than wall time: how much work each does
                "bare_cpu_seconds": round(statistics.median(bare_cpu), 3),
                "cpu_ratio_to_bare": round(statistics.median(ingest_cpu) / statistics.median(bare_cpu), 2),
            }
        per_source[source] = entry
        print(f"{source}: {json.dumps(entry)}", flush=True)
    csv_sources = [e for e in per_source.values() if "bare_seconds" in e]
    total_rows = sum(int(e["rows_read"]) for e in per_source.values())
    total_s = sum(float(e["ingest_seconds"]) for e in per_source.values())
    csv_ingest = sum(float(e["ingest_seconds"]) for e in csv_sources)
    csv_bare = sum(float(e["bare_seconds"]) for e in csv_sources)
    overall = {
        "rows_read": total_rows,
        "ingest_seconds": round(total_s, 3),
        "rows_per_second": round(total_rows / total_s),
        "csv_ingest_seconds": round(csv_ingest, 3),
        "csv_bare_seconds": round(csv_bare, 3),
        "ratio_to_bare": round(csv_ingest / csv_bare, 2),
        "cpu_ratio_to_bare": round(
            sum(float(e["ingest_cpu_seconds"]) for e in csv_sources)
            / sum(float(e["bare_cpu_seconds"]) for e in csv_sources),
            2,
        ),
        "paired_ratios": [
            round(sum(e["ingest_runs"][i] for e in csv_sources) / sum(e["bare_runs"][i] for e in csv_sources), 2)
            for i in range(repeats)
        ],
        "meets_ratio_target": csv_ingest / csv_bare <= RATIO_TARGET,
        "meets_time_target": total_s <= NATIONAL_TARGET_SECONDS,
    }
    return {
        "scale": "national",
        "repeats": repeats,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": {"ratio_to_bare": RATIO_TARGET, "national_seconds": NATIONAL_TARGET_SECONDS},
        "sources": per_source,
        "overall": overall,
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description="benchmark concordat ingest on the national demo files")
    parser.add_argument("--demo", type=Path, help="folder of national demo files (default: generate them)")
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv if argv is not None else [])
    saved = {k: os.environ.get(k) for k in ("CONCORDAT_HOME", "CONCORDAT_PSEUDO_KEY")}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
            scratch = Path(tmp)
            demo = args.demo or _demo(scratch / "national")
            result = measure(demo, args.repeats, scratch)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    path = write_result("ingest", result)
    print(f"overall: {json.dumps(result['overall'])}\nwrote {path}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
