"""How long `concordat demo` takes and how much memory it needs.

Each run is a separate process (``/usr/bin/time``-style accounting via ``resource.getrusage`` of the child),
so peak RSS is the generator's own. Targets (issue 2): ``national`` in under 30 s on the 2-core machine, and
memory under 2 GB at ``--scale 10`` because generation streams. Writes ``results/demo.json``.
"""

from __future__ import annotations

import json
import resource
import tempfile
import time
from pathlib import Path

from benchmarks import generate_demo, write_result

RUNS = (("national", 3), ("10", 1))  # scale, repetitions
NATIONAL_TARGET_SECONDS = 30.0
MEMORY_TARGET_MB = 2048.0


def _run(scale: str, out: Path) -> dict[str, object]:
    """One generation in a child process: wall time, peak RSS of the child, rows written."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    generate_demo(out, scale)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads((out / "manifest.json").read_text())
    rows = manifest["row_counts"]
    return {
        "seconds": round(seconds, 2),
        # ru_maxrss of children is the max over all children so far; runs go from small to large
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "rows": rows,
        "total_rows": sum(rows.values()),
        "bytes": sum(p.stat().st_size for p in out.iterdir()),
    }


def main() -> dict[str, object]:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        for scale, repeats in RUNS:
            runs = [_run(scale, Path(tmp) / f"{scale}-{i}") for i in range(repeats)]
            best = min(runs, key=lambda r: float(r["seconds"]))
            results[f"scale_{scale}"] = {
                "runs_seconds": [r["seconds"] for r in runs],
                "best_seconds": best["seconds"],
                "peak_rss_mb": max(float(r["peak_rss_mb"]) for r in runs),
                "total_rows": best["total_rows"],
                "rows": best["rows"],
                "output_mb": round(int(best["bytes"]) / 2**20, 1),
                "rows_per_second": round(int(best["total_rows"]) / float(best["seconds"])),
            }
    national, ten = results["scale_national"], results["scale_10"]
    assert isinstance(national, dict) and isinstance(ten, dict)
    results["targets"] = {
        "national_under_30_s": float(national["best_seconds"]) < NATIONAL_TARGET_SECONDS,
        "scale_10_under_2_gb": float(ten["peak_rss_mb"]) < MEMORY_TARGET_MB,
    }
    path = write_result("demo", results)
    print(json.dumps(results, indent=2))
    print(f"written to {path}")
    return results


if __name__ == "__main__":
    main()
