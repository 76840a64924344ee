"""How long `write_method_tables` takes at national size, and how often ITS / DiD flag a change that is not there.

Speed: a synthetic warehouse the size of the `national` demo (30 KPIs x 55 areas x 120 months of monthly values,
16 interventions) in an in-memory DuckDB; target (docs/ARCHITECTURE.md) under ~10-15 s. Calibration: the share
of null series (seasonal, trending, AR(1) noise, no effect) whose 95% interval excludes 0, for ITS and DiD.
Writes ``results/methods.json``.
"""

from __future__ import annotations

import time

import duckdb
import numpy as np
import pandas as pd

from benchmarks import write_result
from concordat.methods import impact
from concordat.methods.tables import write_method_tables

N_KPIS, N_AREAS, N_MONTHS = 30, 55, 120
N_INTERVENTIONS = 16
TIMING_RUNS = 3
NULL_SERIES = 1000
TARGET_SECONDS = 15.0

PERIODS = pd.date_range("2018-04-01", periods=N_MONTHS, freq="MS")
SEASON = 1 + 0.1 * np.sin(2 * np.pi * PERIODS.month.to_numpy() / 12)
TREND = 1 + 0.002 * np.arange(N_MONTHS)


def _noise(rng: np.random.Generator, sd: float, phi: float = 0.3) -> np.ndarray:
    e = np.zeros(N_MONTHS)
    shocks = rng.normal(0, sd, N_MONTHS)
    for i in range(1, N_MONTHS):
        e[i] = phi * e[i - 1] + shocks[i]
    return e


def _series(rng: np.random.Generator, base: float) -> np.ndarray:
    return base * TREND * SEASON + _noise(rng, 0.06 * base)


def _warehouse(rng: np.random.Generator) -> duckdb.DuckDBPyConnection:
    areas = [f"E23{i:06d}" for i in range(N_AREAS)]
    kpis = [f"kpi_{i:02d}" for i in range(N_KPIS)]
    frames = [
        pd.DataFrame(
            {
                "kpi_id": kpi,
                "area_code": area,
                "segment": "all",
                "period_grain": "month",
                "period_start": PERIODS.date,
                "value": _series(rng, rng.uniform(20, 400)),
            }
        )
        for kpi in kpis
        for area in areas
    ]
    directions = ["lower", "higher", "neutral"]
    inputs = {
        "marts.kpi_values": pd.concat(frames, ignore_index=True),
        "marts.dim_kpi": pd.DataFrame(
            {"kpi_id": kpis, "direction": [directions[i % 3] for i in range(N_KPIS)], "target": None}
        ),
        "marts.dim_intervention": pd.DataFrame(
            {
                "intervention_id": [f"I{i:02d}" for i in range(N_INTERVENTIONS)],
                "area_code": areas[:N_INTERVENTIONS],
                "type": ["street_triage" if i % 4 else "officer_placements" for i in range(N_INTERVENTIONS)],
                "start_date": [PERIODS[30 + 3 * i].date() for i in range(N_INTERVENTIONS)],
                "end_date": None,
            }
        ),
        "marts.dim_force": pd.DataFrame({"area_code": areas}),
        "raw.intervention_type_kpis": pd.DataFrame(
            {
                "type": ["street_triage"] * 3 + ["officer_placements"] * 2,
                "kpi_id": kpis[:3] + kpis[3:5],
            }
        ),
    }
    con = duckdb.connect()
    con.execute("create schema marts; create schema raw")
    for table, frame in inputs.items():
        con.register("_frame", frame)
        con.execute(f"create table {table} as select * from _frame")
        con.unregister("_frame")
    return con


def _timing() -> dict[str, object]:
    con = _warehouse(np.random.default_rng(136))
    runs = []
    for _ in range(TIMING_RUNS):
        start = time.perf_counter()
        steps = write_method_tables(con)
        runs.append({"seconds": round(time.perf_counter() - start, 2), **{k: round(v, 2) for k, v in steps.items()}})
    rows = {
        t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in ("marts.spc_points", "marts.spc_summary")
    }
    rows["marts.intervention_impact"] = con.execute("select count(*) from marts.intervention_impact").fetchone()[0]
    best = min(float(r["seconds"]) for r in runs)
    return {
        "series": N_KPIS * N_AREAS,
        "months": N_MONTHS,
        "runs": runs,
        "best_seconds": best,
        "target_seconds": TARGET_SECONDS,
        "meets_target": best < TARGET_SECONDS,
        "rows": rows,
    }


def _false_positive_rates() -> dict[str, object]:
    rng = np.random.default_rng(2026)
    start = PERIODS[60]
    its_p, its_control_p, did_p = [], [], []
    for _ in range(NULL_SERIES):
        treated = pd.DataFrame({"period_start": PERIODS, "value": _series(rng, 100.0)})
        its_p.append(impact.its(treated["period_start"], treated["value"], start).p_value)
        comparators = {
            f"C{j}": pd.DataFrame({"period_start": PERIODS, "value": _series(rng, rng.uniform(30, 300))})
            for j in range(10)
        }
        its_control_p.append(
            impact.its(treated["period_start"], treated["value"], start, comparators=comparators).p_value
        )
        did_p.append(impact.did(treated, comparators, start).p_value)
    return {
        "null_series": NULL_SERIES,
        "its_rejecting_at_5pct": round(float(np.mean(np.array(its_p) < 0.05)), 4),
        "its_with_control_series_rejecting_at_5pct": round(float(np.mean(np.array(its_control_p) < 0.05)), 4),
        "did_rejecting_at_5pct": round(float(np.mean(np.array(did_p) < 0.05)), 4),
        "series_model": "120 months, +0.2%/month trend, 10% seasonality, AR(1) phi 0.3 noise (sd 6%), no effect",
    }


def main() -> dict[str, object]:
    result = {"write_method_tables": _timing(), "false_positive_rates": _false_positive_rates()}
    path = write_result("methods", result)
    print(f"write_method_tables best {result['write_method_tables']['best_seconds']} s; written {path}")
    print(result["false_positive_rates"])
    return result


if __name__ == "__main__":
    main()
