"""write_method_tables on a hand-made warehouse with the documented input tables and columns."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from concordat.errors import InternalError
from concordat.methods import tables

PERIODS = pd.date_range("2016-04-01", periods=96, freq="MS")
FORCES = [f"E230000{i:02d}" for i in range(1, 9)]
START = pd.Timestamp("2020-04-01")


def _kpi_values(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    season = 1 + 0.1 * np.sin(2 * np.pi * PERIODS.month.to_numpy() / 12)
    for kpi in ("s136_detentions", "pos_police_station_pct", "u18_police_station"):
        for area in [*FORCES, "EW"]:
            base = 100.0 if kpi != "pos_police_station_pct" else 20.0
            value = base * season + rng.normal(0, 0.05 * base, len(PERIODS))
            if kpi == "u18_police_station":
                value = np.zeros(len(PERIODS))
            if kpi == "s136_detentions" and area == FORCES[0]:
                value = np.where(PERIODS >= START, value * 0.75, value)  # planted -25%
            if kpi == "pos_police_station_pct" and area == FORCES[2]:
                value[[3, 4]] = np.nan  # months with the KPI undefined
            for grain, segment in (("month", "all"), ("month", "sex:Female"), ("quarter", "all")):
                rows.append(
                    pd.DataFrame(
                        {
                            "kpi_id": kpi,
                            "area_code": area,
                            "segment": segment,
                            "period_grain": grain,
                            "period_start": PERIODS.date,
                            "value": value,
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)


def _create(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("_frame", frame)
    con.execute(f"create table {table} as select * from _frame")
    con.unregister("_frame")


@pytest.fixture()
def warehouse() -> duckdb.DuckDBPyConnection:
    rng = np.random.default_rng(136)
    con = duckdb.connect()
    con.execute("create schema marts; create schema raw")
    _create(con, "marts.kpi_values", _kpi_values(rng))
    dim_kpi = pd.DataFrame(
        {
            "kpi_id": ["s136_detentions", "pos_police_station_pct", "u18_police_station"],
            "direction": ["neutral", "lower", "lower"],
            "target": [None, None, "0"],
            "spc_rebase_date": pd.to_datetime([None, None, None]),
        }
    )
    _create(con, "marts.dim_kpi", dim_kpi)
    dim_intervention = pd.DataFrame(
        {
            "intervention_id": ["P1", "R1"],
            "area_code": [FORCES[0], FORCES[1]],
            "type": ["street_triage", "officer_placements"],
            "name": ["Triage", "Placements"],
            "start_date": [START.date(), pd.Timestamp("2021-06-14").date()],
            "end_date": [None, None],
            "description": ["", ""],
            "origin": ["planted", "register"],
            "kpi_id": ["s136_detentions", None],
            "true_effect_pct": [-25.0, None],
        }
    )
    _create(con, "marts.dim_intervention", dim_intervention)
    con.execute("create table marts.dim_force as select unnest(?::varchar[]) as area_code", [FORCES])
    type_kpis = pd.DataFrame(
        {
            "type": ["street_triage", "officer_placements", "single_point_of_contact"],
            "kpi_id": ["s136_detentions", "pos_police_station_pct", "s136_detentions"],
        }
    )
    _create(con, "raw.intervention_type_kpis", type_kpis)
    yield con
    con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"describe {table}").fetchall()]


def test_writes_the_four_tables_with_the_documented_columns(warehouse: duckdb.DuckDBPyConnection) -> None:
    tables.write_method_tables(warehouse)
    assert _columns(warehouse, "marts.spc_points") == list(tables.SPC_POINTS_COLUMNS)
    assert _columns(warehouse, "marts.spc_summary") == list(tables.SPC_SUMMARY_COLUMNS)
    assert _columns(warehouse, "marts.intervention_impact") == list(tables.IMPACT_COLUMNS)
    assert _columns(warehouse, "marts.intervention_impact_series") == list(tables.IMPACT_SERIES_COLUMNS)


def test_spc_tables_cover_every_monthly_all_segment_value(warehouse: duckdb.DuckDBPyConnection) -> None:
    tables.write_method_tables(warehouse)
    expected = warehouse.execute(
        "select count(*) from marts.kpi_values where period_grain = 'month' and segment = 'all' and value is not null"
    ).fetchone()[0]
    assert warehouse.execute("select count(*) from marts.spc_points").fetchone()[0] == expected
    assert warehouse.execute("select distinct segment, period_grain from marts.spc_points").fetchall() == [
        ("all", "month")
    ]
    summary = warehouse.execute("select * from marts.spc_summary order by kpi_id, area_code").df()
    assert len(summary) == 3 * 9
    assert set(summary["n_points"]) == {96, 94}
    assert set(summary["last_period_start"].astype(str)) == {"2024-03-01"}
    u18 = summary[summary["kpi_id"] == "u18_police_station"]
    assert set(u18["assurance_icon"]) == {"consistent_pass"}  # always 0 against a target of 0
    assert summary.loc[summary["kpi_id"] != "u18_police_station", "assurance_icon"].isna().all()


def test_spc_points_match_the_library_for_one_series(warehouse: duckdb.DuckDBPyConnection) -> None:
    from concordat.methods import spc

    tables.write_method_tables(warehouse)
    got = warehouse.execute(
        "select * from marts.spc_points where kpi_id = 's136_detentions' and area_code = ? order by period_start",
        [FORCES[0]],
    ).df()
    chart = spc.spc(got["value"].to_numpy(), "neutral")
    assert np.allclose(got["ucl"], chart.points["ucl"])
    assert list(got["point_type"]) == list(chart.points["point_type"])
    # the planted 25% drop is a special cause (neutral KPI: low)
    assert (got.loc[got["period_start"] >= START, "point_type"] == "special_cause_neutral_low").mean() > 0.8
    assert set(got["rule"].dropna()) <= set(spc.RULES)


def test_impact_rows_for_every_intervention_and_targeted_kpi(warehouse: duckdb.DuckDBPyConnection) -> None:
    tables.write_method_tables(warehouse)
    impact = warehouse.execute("select * from marts.intervention_impact order by intervention_id, method").df()
    assert list(zip(impact["intervention_id"], impact["kpi_id"], impact["method"], strict=True)) == [
        ("P1", "s136_detentions", "did"),
        ("P1", "s136_detentions", "its"),
        ("R1", "pos_police_station_pct", "did"),
        ("R1", "pos_police_station_pct", "its"),
    ]
    p1 = impact[impact["intervention_id"] == "P1"].set_index("method")
    for method in ("its", "did"):
        assert p1.loc[method, "ci_lower"] < -25 < p1.loc[method, "ci_upper"]
        assert p1.loc[method, "p_value"] < 0.001
    # comparators: forces only (not EW), never the treated force nor a force with a street-triage intervention
    assert p1.loc["did", "comparator_areas"] == ",".join(f for f in FORCES if f not in (FORCES[0],))
    assert p1.loc["its", "comparator_areas"] == p1.loc["did", "comparator_areas"]  # its control series
    r1 = impact[impact["intervention_id"] == "R1"].set_index("method")
    assert FORCES[1] not in r1.loc["did", "comparator_areas"].split(",")
    assert (r1.loc["its", "months_before"], r1.loc["its", "months_after"]) == (62, 33)  # June 2021 is dropped


def test_impact_series_is_written_for_its(warehouse: duckdb.DuckDBPyConnection) -> None:
    tables.write_method_tables(warehouse)
    series = warehouse.execute(
        "select * from marts.intervention_impact_series where intervention_id = 'P1' order by period_start"
    ).df()
    assert len(series) == 96
    assert series["is_post"].sum() == 48
    pre = series[~series["is_post"]]
    assert np.allclose(pre["fitted"], pre["counterfactual"])


def test_comparators_exclude_forces_treated_on_the_same_kpi() -> None:
    interventions = pd.DataFrame({"area_code": ["A", "B", "C"], "type": ["street_triage", "spoc", "other"]})
    type_kpis = pd.DataFrame({"type": ["street_triage", "spoc"], "kpi_id": ["k", "k"]})
    assert tables.comparator_areas({"A", "B", "C", "D"}, interventions, type_kpis, "street_triage", "k") == {
        "C",
        "D",
    }


def test_an_empty_register_writes_empty_typed_impact_tables(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("delete from marts.dim_intervention")
    tables.write_method_tables(warehouse)
    assert warehouse.execute("select count(*) from marts.intervention_impact").fetchone()[0] == 0
    assert _columns(warehouse, "marts.intervention_impact") == list(tables.IMPACT_COLUMNS)


def test_a_missing_input_table_is_reported(warehouse: duckdb.DuckDBPyConnection) -> None:
    warehouse.execute("drop table raw.intervention_type_kpis")
    with pytest.raises(InternalError, match=r"raw\.intervention_type_kpis"):
        tables.write_method_tables(warehouse)


def test_missing_values_are_written_as_null_not_nan() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    frame = pd.DataFrame(
        {
            "intervention_id": ["A", "B"],
            "area_code": ["X", "Y"],
            "kpi_id": ["k", "k"],
            "method": ["its", "did"],
            "estimate": [np.nan, -20.0],
            "ci_lower": [None, -30.0],
            "ci_upper": [None, -10.0],
            "p_value": [None, 0.01],
            "step_change": [None, None],
            "step_ci_lower": [None, None],
            "step_ci_upper": [None, None],
            "months_before": [3, 60],
            "months_after": [0, 60],
            "comparator_areas": [None, None],
            "note": ["3 months before the start (need 12)", None],
        }
    )
    tables._replace_table(con, "marts.intervention_impact", tables.IMPACT_COLUMNS, frame)
    rows = con.execute("select estimate, ci_lower, comparator_areas, note from marts.intervention_impact").fetchall()
    assert rows == [(None, None, None, "3 months before the start (need 12)"), (-20.0, -30.0, None, None)]


def test_spc_limits_are_recomputed_from_a_kpis_rebase_date() -> None:
    """Under-18s at a police station: a few before the Policing and Crime Act 2017, none after. Limits from all
    points would make every later 0 a special cause and the target of 0 `inconsistent`; rebased from January 2018
    the later months are a steady 0 that consistently meets it."""
    months = pd.date_range("2016-04-01", periods=36, freq="MS").date
    values = [1.0, 0, 2, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0] + [0.0] * 15
    series = pd.DataFrame(
        {
            "kpi_id": "u18_police_station",
            "area_code": "E23000011",
            "segment": "all",
            "period_grain": "month",
            "period_start": months,
            "value": values,
        }
    )
    kpis = pd.DataFrame(
        {
            "kpi_id": ["u18_police_station"],
            "direction": ["lower"],
            "target": [0.0],
            "spc_rebase_date": [pd.Timestamp("2018-01-01")],
        }
    )
    points, summary = tables.spc_tables(series, kpis)
    after = points[pd.to_datetime(points.period_start) >= "2018-01-01"]
    before = points[pd.to_datetime(points.period_start) < "2018-01-01"]
    assert len(after) == 15 and (after[["mean", "lcl", "ucl"]] == 0).all().all()
    assert set(after.point_type) == {"common_cause"}
    assert before["mean"].iloc[0] == pytest.approx(sum(values[:21]) / 21)
    assert summary.loc[0, "assurance_icon"] == "consistent_pass"
    assert summary.loc[0, "variation_icon"] == "common_cause"

    _, unrebased = tables.spc_tables(series, kpis.drop(columns="spc_rebase_date"))
    assert unrebased.loc[0, "assurance_icon"] == "inconsistent"


def test_a_series_too_short_for_limits_gets_no_icons() -> None:
    """Two months of data: the chart is drawn, but no variation or assurance icon is claimed from it."""
    series = pd.DataFrame(
        {
            "kpi_id": "u18_police_station",
            "area_code": "E23000011",
            "segment": "all",
            "period_grain": "month",
            "period_start": pd.date_range("2024-04-01", periods=2, freq="MS").date,
            "value": [0.0, 0.0],
        }
    )
    kpis = pd.DataFrame({"kpi_id": ["u18_police_station"], "direction": ["lower"], "target": [0.0]})
    points, summary = tables.spc_tables(series, kpis)
    assert len(points) == 2 and set(points.point_type) == {"common_cause"}
    assert summary.loc[0, "variation_icon"] is None and summary.loc[0, "assurance_icon"] is None
