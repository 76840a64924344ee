"""Dashboard speed on a national-scale serving file: each page's queries, and full page render in Chromium.

1. Queries: every page, and every section (tab) of it, is run through Streamlit's AppTest with the result cache
   off, for England and Wales and for one force, several times; every query the page (and the app around it)
   runs is timed. Reported per page: the p50, p95 and max of its queries and the total query time of one page
   run. Target: p95 under 150 ms.
2. Render: `concordat dashboard` is started on the file and each page is timed in headless Chromium until its
   script has finished and every chart is drawn (no loading skeleton left), two ways:
   - opened by its address in a fresh tab (a shared link): the first visit runs its queries (cold), later
     visits are served from the result cache (warm);
   - reached with the sidebar's links within one tab, as a user moves between pages: the first round loads
     Plotly's code once, later rounds are warm.
   Target: under 2 s. For scale, the floor: the smallest Streamlit page with one Plotly chart
   (`benchmarks/floor_app.py`), opened fresh in the same browser in the same run.

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
FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"


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
    from dashboard.site import PAGES, section_key

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
                        for section in [tab.label for tab in at.tabs][1:]:
                            at.session_state[section_key(url)] = section
                            at.run()
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


def _floor(rounds: int) -> list[float]:
    """Fresh-tab render times of `floor_app.py` (one Plotly chart), served by plain `streamlit run`."""
    from dashboard import browser

    port = browser.free_port()
    argv = [sys.executable, "-m", "streamlit", "run", str(FLOOR_APP), "--server.headless", "true"]
    argv += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        browser.wait_until_healthy(port, process=process)
        visits = browser.visit_pages(port, [("", "floor")] * rounds, {})
    finally:
        process.terminate()
        process.wait(timeout=15)
    return [v.seconds for v in visits]


def measure_render(home: Path, area: str) -> dict[str, object]:
    from dashboard import browser
    from dashboard.site import browser_paths

    pages = browser_paths()
    port = browser.free_port()
    query = {"area": area}
    with browser.serve(home, port):
        cold = browser.visit_pages(port, pages, query)
        warm = [browser.visit_pages(port, pages, query) for _ in range(WARM_VISITS)]
        first_nav, *warm_nav = browser.navigate_pages(port, pages, query, rounds=WARM_VISITS + 1)
    floor = _floor(WARM_VISITS + 1)
    by_path = {v.url_path: v for v in first_nav}
    warm_nav_by_path = [{v.url_path: v for v in run} for run in warm_nav]
    out: dict[str, object] = {}
    for i, (path, _) in enumerate(pages):
        name = path or "overview"
        visits = [cold[i], *(run[i] for run in warm), by_path[path], *(run[path] for run in warm_nav_by_path)]
        errors = [e for v in visits for e in v.errors]
        if errors:
            raise RuntimeError(f"{name}: {errors[0]}")
        warm_seconds = [run[i].seconds for run in warm]
        nav_seconds = [run[path].seconds for run in warm_nav_by_path]
        out[name] = {
            "charts_drawn": cold[i].charts,
            "fresh_tab_cold_s": round(cold[i].seconds, 2),
            "fresh_tab_warm_median_s": round(statistics.median(warm_seconds), 2),
            "fresh_tab_warm_max_s": round(max(warm_seconds), 2),
            "in_app_first_s": round(by_path[path].seconds, 2),
            "in_app_warm_median_s": round(statistics.median(nav_seconds), 2),
            "in_app_warm_max_s": round(max(nav_seconds), 2),
        }
        row = out[name]
        print(
            f"render {name:>13}: fresh tab cold {row['fresh_tab_cold_s']:5.2f} s, "
            f"warm {row['fresh_tab_warm_median_s']:5.2f} s; "
            f"in app first {row['in_app_first_s']:5.2f} s, warm {row['in_app_warm_median_s']:5.2f} s",
            flush=True,
        )
    out["_floor_one_plotly_chart"] = {
        "fresh_tab_first_s": round(floor[0], 2),
        "fresh_tab_warm_median_s": round(statistics.median(floor[1:]), 2),
    }
    print(f"render floor (one Plotly chart, plain Streamlit): {out['_floor_one_plotly_chart']}", flush=True)
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
    pages = {k: v for k, v in render_results.items() if not k.startswith("_")}
    worst = {
        measure: max(float(r[measure]) for r in pages.values())
        for measure in ("fresh_tab_cold_s", "fresh_tab_warm_median_s", "in_app_first_s", "in_app_warm_median_s")
    }
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
            "render_target_s": RENDER_TARGET_S,
            **{f"worst_page_{m}": v for m, v in worst.items()},
            **{f"render_target_met_{m.removesuffix('_s')}": v < RENDER_TARGET_S for m, v in worst.items()},
            "floor_fresh_tab_warm_s": render_results["_floor_one_plotly_chart"]["fresh_tab_warm_median_s"],  # type: ignore[index]
        },
        "load_average_1m": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = write_result("dashboard", result)
    print(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
