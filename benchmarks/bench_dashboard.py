"""Dashboard speed on a national-scale serving file: each page's queries, and full page render in Chromium.

1. Queries: every page is run through Streamlit's AppTest with the result cache off, for England and Wales and
   for one force, several times; every query the page (and the app around it) runs is timed. Reported per page:
   the p50, p95 and max of its queries and the total query time of one page run. Target: p95 under 150 ms.
2. Render: `concordat dashboard` is started on the file and each page is opened in headless Chromium, from
   navigation to the script finishing and every chart drawn. The first visit of a page runs its queries (cold);
   later visits are served from the result cache (warm), as for most users. Target: under 2 s.

The serving file comes from ``CONCORDAT_BENCH_HOME`` (a CONCORDAT_HOME holding ``serving.duckdb``) or is made
once with `concordat run --scale national --no-serve` in ``data/bench-dashboard-national``. The machine's load
average is recorded with the figures: on a shared 2-core machine it moves them. Writes results/dashboard.json.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from benchmarks import write_result
from concordat import paths

QUERY_TARGET_MS = 150.0
RENDER_TARGET_S = 2.0
QUERY_REPEATS = 5
WARM_VISITS = 3
DEFAULT_HOME = paths.PROJECT_ROOT / "data" / "bench-dashboard-national"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest-rank
    return ordered[rank]


def national_home() -> Path:
    home = Path(os.environ.get("CONCORDAT_BENCH_HOME") or DEFAULT_HOME)
    if not (home / "serving.duckdb").exists():
        home.mkdir(parents=True, exist_ok=True)
        print(f"building a national serving file in {home} (concordat run --scale national --no-serve)", flush=True)
        env = dict(os.environ, CONCORDAT_HOME=str(home))
        subprocess.run(
            [sys.executable, "-m", "concordat.cli", "run", "--scale", "national", "--no-serve"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    return home


def _areas(serving: Path) -> tuple[str, str, int, int]:
    with duckdb.connect(str(serving), read_only=True) as con:
        force = con.execute(
            "select area_code from marts.dim_area where area_type = 'force' order by population desc limit 1"
        ).fetchone()[0]
        rows = con.execute("select count(*) from marts.kpi_values").fetchone()[0]
        forces = con.execute("select count(distinct area_code) from marts.kpi_values").fetchone()[0]
    return "EW", force, rows, forces


def measure_queries(serving: Path, areas: tuple[str, ...]) -> dict[str, dict[str, float | int]]:
    """Per page: query timings over QUERY_REPEATS uncached runs for each area (AppTest, in-process)."""
    from streamlit.testing.v1 import AppTest

    from dashboard import queries, settings
    from dashboard.site import PAGES

    os.environ[settings.SERVING_FILE_ENV] = str(serving)
    os.environ[settings.CACHE_ENV] = "0"
    app = paths.DASHBOARD_DIR / "app.py"
    out: dict[str, dict[str, float | int]] = {}
    try:
        for file, title, url, _ in PAGES:
            timings: list[float] = []
            per_run: list[float] = []
            count = 0
            for area in areas:
                for _ in range(QUERY_REPEATS):
                    at = AppTest.from_file(str(app), default_timeout=300)
                    at.query_params["area"] = area
                    at.run()
                    recorded: list[queries.QueryTiming] = []
                    queries.RECORDER = recorded
                    try:
                        at.switch_page(f"views/{file}").run()
                    finally:
                        queries.RECORDER = None
                    if at.exception:
                        raise RuntimeError(f"{title} ({area}) raised: {at.exception[0].value}")
                    timings += [t.seconds * 1000 for t in recorded]
                    per_run.append(sum(t.seconds for t in recorded) * 1000)
                    count = len(recorded)
            out[url] = {
                "queries_per_run": count,
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(_percentile(timings, 95), 1),
                "max_ms": round(max(timings), 1),
                "page_total_p50_ms": round(statistics.median(per_run), 1),
            }
            print(f"queries {url:>13}: p95 {out[url]['p95_ms']:7.1f} ms over {len(timings)} queries", flush=True)
    finally:
        os.environ.pop(settings.CACHE_ENV, None)
        queries.close_all()
    return out


def measure_render(home: Path, area: str) -> dict[str, dict[str, float]]:
    from dashboard import browser
    from dashboard.site import browser_paths

    pages = browser_paths()
    port = browser.free_port()
    with browser.serve(home, port):
        cold = browser.visit_pages(port, pages, {"area": area})
        warm = [browser.visit_pages(port, pages, {"area": area}) for _ in range(WARM_VISITS)]
    out: dict[str, dict[str, float]] = {}
    for i, (path, _) in enumerate(pages):
        name = path or "overview"
        errors = cold[i].errors + tuple(e for run in warm for e in run[i].errors)
        if errors:
            raise RuntimeError(f"{name}: {errors[0]}")
        warm_seconds = [run[i].seconds for run in warm]
        out[name] = {
            "cold_s": round(cold[i].seconds, 2),
            "warm_median_s": round(statistics.median(warm_seconds), 2),
            "warm_max_s": round(max(warm_seconds), 2),
        }
        print(f"render  {name:>13}: cold {out[name]['cold_s']:5.2f} s, warm {out[name]['warm_median_s']:5.2f} s")
    return out


def main() -> dict[str, object]:
    home = national_home()
    serving = home / "serving.duckdb"
    national, force, rows, areas = _areas(serving)
    load_before = os.getloadavg()
    started = time.perf_counter()
    query_results = measure_queries(serving, (national, force))
    render_results = measure_render(home, force)
    load_after = os.getloadavg()
    worst_p95 = max(float(r["p95_ms"]) for r in query_results.values())
    worst_warm = max(r["warm_median_s"] for r in render_results.values())
    worst_cold = max(r["cold_s"] for r in render_results.values())
    result: dict[str, object] = {
        "serving_file": {
            "path": str(serving),
            "kpi_values_rows": rows,
            "areas": areas,
            "mb": round(serving.stat().st_size / 2**20, 1),
        },
        "areas_measured": [national, force],
        "queries": query_results,
        "render": render_results,
        "summary": {
            "worst_page_query_p95_ms": worst_p95,
            "query_target_ms": QUERY_TARGET_MS,
            "query_target_met": worst_p95 < QUERY_TARGET_MS,
            "worst_page_render_warm_s": worst_warm,
            "worst_page_render_cold_s": worst_cold,
            "render_target_s": RENDER_TARGET_S,
            "render_target_met_warm": worst_warm < RENDER_TARGET_S,
            "render_target_met_cold": worst_cold < RENDER_TARGET_S,
        },
        "load_average_1m": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = write_result("dashboard", result)
    print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
