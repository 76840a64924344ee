"""The method tables `concordat build` writes right after dbt: SPC points and icons, and intervention impact.

Why in Python after dbt rather than in SQL: SPC run rules and segmented regressions are sequential and
statistical; statsmodels does the regressions, and one module (concordat.methods) serves the build, the
dashboard and the reports so they cannot disagree.

Reads `marts.kpi_values` (monthly, segment `all`), `marts.dim_kpi` (direction, target), `marts.dim_intervention`,
`marts.dim_force` and the seed `raw.intervention_type_kpis`; writes (CREATE OR REPLACE) `marts.spc_points`,
`marts.spc_summary`, `marts.intervention_impact` and `marts.intervention_impact_series`, with the columns of
docs/ARCHITECTURE.md. SPC limits come from all points, except for a KPI with an `spc_rebase_date` (seed
kpi_definitions): the rules it measures changed then (the Policing and Crime Act 2017), so its limits - and its
assurance against a statutory target - are recomputed from that month.

Intervention impact is estimated for every intervention in the register and every KPI its type targets, in the
intervention's area, by ITS and by DiD (`concordat.methods.impact`). The comparators - DiD's comparison group and
ITS's control series - are the forces in `marts.dim_force` that never had an intervention of that type nor any
intervention whose type targets the same KPI (so a comparator is not itself treated on that KPI); both rows list
them in `comparator_areas`. A row whose estimate could not be made has NULL estimate columns; `note` says why.
"""

from __future__ import annotations

import itertools
import time

import duckdb
import numpy as np
import pandas as pd

from concordat.errors import InternalError
from concordat.methods import impact, spc

SPC_POINTS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kpi_id", "VARCHAR"),
    ("area_code", "VARCHAR"),
    ("segment", "VARCHAR"),
    ("period_grain", "VARCHAR"),
    ("period_start", "DATE"),
    ("value", "DOUBLE"),
    ("mean", "DOUBLE"),
    ("lcl", "DOUBLE"),
    ("ucl", "DOUBLE"),
    ("point_type", "VARCHAR"),
    ("rule", "VARCHAR"),
)
SPC_SUMMARY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("kpi_id", "VARCHAR"),
    ("area_code", "VARCHAR"),
    ("segment", "VARCHAR"),
    ("variation_icon", "VARCHAR"),
    ("assurance_icon", "VARCHAR"),
    ("n_points", "INTEGER"),
    ("last_period_start", "DATE"),
)
IMPACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("intervention_id", "VARCHAR"),
    ("area_code", "VARCHAR"),
    ("kpi_id", "VARCHAR"),
    ("method", "VARCHAR"),
    ("estimate", "DOUBLE"),
    ("ci_lower", "DOUBLE"),
    ("ci_upper", "DOUBLE"),
    ("p_value", "DOUBLE"),
    ("step_change", "DOUBLE"),  # ITS: level change at the start, in the KPI's unit
    ("step_ci_lower", "DOUBLE"),
    ("step_ci_upper", "DOUBLE"),
    ("months_before", "INTEGER"),
    ("months_after", "INTEGER"),
    ("comparator_areas", "VARCHAR"),
    ("note", "VARCHAR"),
)
STEP_COLUMNS = ("step_change", "step_ci_lower", "step_ci_upper")
IMPACT_SERIES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("intervention_id", "VARCHAR"),
    ("area_code", "VARCHAR"),
    ("kpi_id", "VARCHAR"),
    ("period_start", "DATE"),
    ("observed", "DOUBLE"),
    ("fitted", "DOUBLE"),
    ("counterfactual", "DOUBLE"),
    ("is_post", "BOOLEAN"),
)

_INPUTS = (
    "marts.kpi_values",
    "marts.dim_kpi",
    "marts.dim_intervention",
    "marts.dim_force",
    "raw.intervention_type_kpis",
)


def _check_inputs(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        f"{schema}.{name}"
        for schema, name in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    }
    missing = [t for t in _INPUTS if t not in present]
    if missing:
        raise InternalError(f"cannot write the method tables: {', '.join(missing)} missing (run dbt first)")


def read_monthly_series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Monthly values of every KPI and area, segment `all`, in period order (months with no value dropped)."""
    return con.execute(
        """
        select kpi_id, area_code, segment, period_grain, period_start, value
        from marts.kpi_values
        where period_grain = 'month' and segment = 'all' and value is not null
        order by kpi_id, area_code, segment, period_start
        """
    ).df()


def spc_tables(series: pd.DataFrame, kpis: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(spc_points, spc_summary) for every (kpi_id, area_code, segment) series. Unknown KPIs count as neutral.

    `series` must be sorted by kpi_id, area_code, segment, period_start (as `read_monthly_series` returns it).
    Works on numpy slices of one frame rather than a DataFrame per chart: ~1,700 charts in about a second.
    """
    direction = dict(zip(kpis["kpi_id"], kpis["direction"], strict=True))
    target = dict(zip(kpis["kpi_id"], kpis["target"], strict=True)) if "target" in kpis else {}
    rebase = (
        {k: pd.Timestamp(d) for k, d in zip(kpis["kpi_id"], kpis["spc_rebase_date"], strict=True) if not pd.isna(d)}
        if "spc_rebase_date" in kpis
        else {}
    )
    new_chart = np.zeros(max(len(series) - 1, 0), dtype=bool)
    for column in ("kpi_id", "area_code", "segment"):
        key = series[column].to_numpy(dtype=object)
        new_chart |= key[1:] != key[:-1]
    bounds = np.flatnonzero(np.r_[True, new_chart, True]) if len(series) else np.array([0])
    values = series["value"].to_numpy(float)
    kpi_ids, area_codes, segments = (series[c].to_numpy(dtype=object) for c in ("kpi_id", "area_code", "segment"))
    period_starts = series["period_start"].to_numpy(dtype=object)
    n = values.size
    mean, lcl, ucl = np.empty(n), np.empty(n), np.empty(n)
    point_type, rule = np.empty(n, dtype=object), np.empty(n, dtype=object)
    summaries: list[dict[str, object]] = []
    for lo, hi in itertools.pairwise(bounds):
        kpi_id = kpi_ids[lo]
        kpi_direction = direction.get(kpi_id)
        kpi_direction = kpi_direction if kpi_direction in spc.DIRECTIONS else "neutral"  # unknown: no judgement
        # limits recomputed from the KPI's rebase month (the rules changed then); the summary reads the last part
        cuts = [lo, hi]
        if kpi_id in rebase:
            at = lo + int(np.searchsorted(pd.to_datetime(period_starts[lo:hi]), rebase[kpi_id]))
            cuts = [lo, *([at] if lo < at < hi else []), hi]
        parts = [(a, b, spc.classify(values[a:b], kpi_direction)) for a, b in itertools.pairwise(cuts)]
        for a, b, segment in parts:
            mean[a:b], lcl[a:b], ucl[a:b] = segment.limits.mean, segment.limits.lcl, segment.limits.ucl
            point_type[a:b], rule[a:b] = segment.point_type, segment.rule
        last_start, last_end, part = parts[-1]  # the summary reads the last part: the limits in force now
        kpi_target = target.get(kpi_id)
        # no icons on too short a series (the last part's baseline): its limits say little yet
        judged = last_end - last_start >= spc.MIN_BASELINE
        summaries.append(
            {
                "kpi_id": kpi_id,
                "area_code": area_codes[lo],
                "segment": segments[lo],
                "variation_icon": spc.variation_icon(part.point_type[-1], kpi_direction) if judged else None,
                "assurance_icon": spc.assurance_icon(
                    None if kpi_target is None or pd.isna(kpi_target) else float(kpi_target),
                    part.limits.lcl,
                    part.limits.ucl,
                    kpi_direction,
                )
                if judged
                else None,
                "n_points": hi - lo,
                "last_period_start": period_starts[hi - 1],
            }
        )
    points = series[["kpi_id", "area_code", "segment", "period_grain", "period_start", "value"]].copy()
    points["mean"], points["lcl"], points["ucl"] = mean, lcl, ucl
    points["point_type"], points["rule"] = point_type, rule
    summary = pd.DataFrame(summaries, columns=[c for c, _ in SPC_SUMMARY_COLUMNS])
    return points[[c for c, _ in SPC_POINTS_COLUMNS]], summary


def comparator_areas(
    forces: set[str], interventions: pd.DataFrame, type_kpis: pd.DataFrame, intervention_type: str, kpi_id: str
) -> set[str]:
    """Forces that never had this intervention type nor any intervention whose type targets this KPI."""
    types_on_kpi = set(type_kpis.loc[type_kpis["kpi_id"] == kpi_id, "type"]) | {intervention_type}
    treated = set(interventions.loc[interventions["type"].isin(types_on_kpi), "area_code"])
    return forces - treated


def impact_tables(
    series: pd.DataFrame, interventions: pd.DataFrame, type_kpis: pd.DataFrame, forces: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(intervention_impact, intervention_impact_series): ITS and DiD per intervention and targeted KPI."""
    days = np.asarray(pd.to_datetime(series["period_start"]), dtype="datetime64[D]")
    values = series["value"].to_numpy(float)
    by_key = {  # small numpy-backed frames: one is read per comparator per estimate, so access must be cheap
        key: pd.DataFrame({"period_start": days[idx], "value": values[idx]})
        for key, idx in series.groupby(["kpi_id", "area_code"], sort=False).indices.items()
    }
    empty = pd.DataFrame({"period_start": pd.Series(dtype="datetime64[ns]"), "value": pd.Series(dtype=float)})
    rows: list[dict[str, object]] = []
    curves: list[pd.DataFrame] = []
    for iv in interventions.sort_values("intervention_id").itertuples(index=False):
        for kpi_id in sorted(set(type_kpis.loc[type_kpis["type"] == iv.type, "kpi_id"])):
            treated = by_key.get((kpi_id, iv.area_code), empty)
            end = iv.end_date if not pd.isna(iv.end_date) else None
            pool = comparator_areas(forces, interventions, type_kpis, iv.type, kpi_id) - {iv.area_code}
            comparators = {code: by_key[(kpi_id, code)] for code in pool if (kpi_id, code) in by_key}
            changes = impact.national_changes_for(kpi_id)
            its = impact.its(treated["period_start"], treated["value"], iv.start_date, end, None, comparators, changes)
            did = impact.did(treated, comparators, iv.start_date, end, changes)
            for est in (its, did):
                rows.append(
                    {
                        "intervention_id": iv.intervention_id,
                        "area_code": iv.area_code,
                        "kpi_id": kpi_id,
                        "method": est.method,
                        "estimate": est.estimate,
                        "ci_lower": est.ci_lower,
                        "ci_upper": est.ci_upper,
                        "p_value": est.p_value,
                        **dict(zip(STEP_COLUMNS, est.step or (None, None, None), strict=True)),
                        "months_before": est.months_before,
                        "months_after": est.months_after,
                        "comparator_areas": ",".join(est.comparator_areas) or None,
                        "note": est.note,
                    }
                )
            if not its.series.empty:
                curve = its.series.copy()
                curve.insert(0, "intervention_id", iv.intervention_id)
                curve.insert(1, "area_code", iv.area_code)
                curve.insert(2, "kpi_id", kpi_id)
                curves.append(curve)
    impact_frame = pd.DataFrame(rows, columns=[c for c, _ in IMPACT_COLUMNS])
    names = [c for c, _ in IMPACT_SERIES_COLUMNS]
    series_frame = pd.concat(curves, ignore_index=True)[names] if curves else pd.DataFrame(columns=names)
    return impact_frame, series_frame


def _replace_table(
    con: duckdb.DuckDBPyConnection, name: str, columns: tuple[tuple[str, str], ...], frame: pd.DataFrame
) -> None:
    """CREATE OR REPLACE `name` with exactly `columns` (typed even when the frame is empty) and insert the frame."""
    con.execute(f"create or replace table {name} ({', '.join(f'{c} {t}' for c, t in columns)})")
    if frame.empty:
        return
    con.register("_method_rows", frame)
    try:
        select = ", ".join(_cast(c, t) for c, t in columns)
        con.execute(f"insert into {name} select {select} from _method_rows")
    finally:
        con.unregister("_method_rows")


def _cast(column: str, sql_type: str) -> str:
    """A typed column of the registered frame; NaN (pandas' missing float) becomes NULL."""
    if sql_type == "DOUBLE":
        return f"case when isnan({column}::double) then null else {column}::double end as {column}"
    return f"cast({column} as {sql_type}) as {column}"


def write_method_tables(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Compute and write the four method tables; returns seconds taken per step (for logs and benchmarks)."""
    _check_inputs(con)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    series = read_monthly_series(con)
    kpis = con.execute(
        "select kpi_id, direction, try_cast(target as double) as target, spc_rebase_date from marts.dim_kpi"
    ).df()
    interventions = con.execute(
        "select intervention_id, area_code, type, start_date, end_date from marts.dim_intervention"
    ).df()
    type_kpis = con.execute("select distinct type, kpi_id from raw.intervention_type_kpis").df()
    forces = {row[0] for row in con.execute("select area_code from marts.dim_force").fetchall()}
    timings["read"] = time.perf_counter() - started

    started = time.perf_counter()
    points, summary = spc_tables(series, kpis)
    timings["spc"] = time.perf_counter() - started

    started = time.perf_counter()
    impact_frame, impact_series = impact_tables(series, interventions, type_kpis, forces)
    timings["impact"] = time.perf_counter() - started

    started = time.perf_counter()
    _replace_table(con, "marts.spc_points", SPC_POINTS_COLUMNS, points)
    _replace_table(con, "marts.spc_summary", SPC_SUMMARY_COLUMNS, summary)
    _replace_table(con, "marts.intervention_impact", IMPACT_COLUMNS, impact_frame)
    _replace_table(con, "marts.intervention_impact_series", IMPACT_SERIES_COLUMNS, impact_series)
    timings["write"] = time.perf_counter() - started
    return timings


__all__ = ["comparator_areas", "impact_tables", "read_monthly_series", "spc_tables", "write_method_tables"]
