"""End to end on the small demo warehouse: the method tables are written by `concordat build` and recover the
effects the demo generator planted."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from concordat.methods import recovery, spc

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(small_built_home: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(small_built_home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_build_writes_spc_for_every_monthly_series(built: duckdb.DuckDBPyConnection) -> None:
    series = built.execute(
        "select count(distinct (kpi_id, area_code)) from marts.kpi_values "
        "where period_grain = 'month' and segment = 'all' and value is not null"
    ).fetchone()[0]
    assert built.execute("select count(*) from marts.spc_summary").fetchone()[0] == series > 0
    types = {r[0] for r in built.execute("select distinct point_type from marts.spc_points").fetchall()}
    assert types <= set(spc.POINT_TYPES) and "common_cause" in types
    icons = {r[0] for r in built.execute("select distinct variation_icon from marts.spc_summary").fetchall()}
    assert icons <= set(spc.VARIATION_ICONS)


def test_every_planted_effect_lies_within_its_95_percent_intervals(built: duckdb.DuckDBPyConnection) -> None:
    table = recovery.planted_vs_estimated(built)
    assert set(table["method"]) == {"its", "did"}
    assert (
        len(table)
        == 2
        * built.execute(
            "select count(*) from marts.dim_intervention where origin = 'planted' and true_effect_pct is not null"
        ).fetchone()[0]
    )
    missed = table[~table["covered"]]
    assert missed.empty, missed.to_string()


def test_every_intervention_has_its_and_did_rows_for_each_targeted_kpi(built: duckdb.DuckDBPyConnection) -> None:
    expected = built.execute(
        "select count(*) from marts.dim_intervention as i join raw.intervention_type_kpis as t using (type)"
    ).fetchone()[0]
    assert built.execute("select count(*) from marts.intervention_impact").fetchone()[0] == 2 * expected
