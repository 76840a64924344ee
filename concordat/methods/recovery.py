"""Planted vs estimated: does `marts.intervention_impact` recover the effects the demo generator planted?

The demo generator writes each planted intervention's true effect (`true_effect_pct`, on one `kpi_id`) in the
same relative-change definition the estimates use, so on demo data the methods can be checked end to end. Used
by the slow tests and runnable by hand on any built warehouse:

    python -m concordat.methods.recovery data/warehouse.duckdb

prints the table of planted vs estimated effects (ITS and DiD) and, for forces without an intervention of that
type, how often ITS finds a significant change at a pseudo start date (the false-positive rate on real data).
"""

from __future__ import annotations

import sys

import duckdb
import numpy as np
import pandas as pd

from concordat.methods import impact
from concordat.methods.tables import comparator_areas, read_monthly_series


def planted_vs_estimated(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per planted intervention and method: true effect, estimate, interval, and whether it covers."""
    frame = con.execute(
        """
        select i.intervention_id, i.area_code, i.type, i.start_date, i.kpi_id, i.true_effect_pct,
               m.method, m.estimate, m.ci_lower, m.ci_upper, m.p_value, m.months_before, m.months_after, m.note
        from marts.dim_intervention as i
        join marts.intervention_impact as m using (intervention_id, kpi_id)
        where i.origin = 'planted' and i.true_effect_pct is not null
        order by i.intervention_id, m.method desc
        """
    ).df()
    frame["covered"] = (frame["ci_lower"] <= frame["true_effect_pct"]) & (frame["true_effect_pct"] <= frame["ci_upper"])
    return frame


def untreated_significance(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """ITS and DiD at each planted intervention's start date in every force that never had that type (nor any
    intervention targeting that KPI), against the other such forces: where nothing was planted, how often is
    the change significant at 5%?"""
    series = read_monthly_series(con)
    interventions = con.execute("select intervention_id, area_code, type, start_date from marts.dim_intervention").df()
    type_kpis = con.execute("select distinct type, kpi_id from raw.intervention_type_kpis").df()
    forces = {r[0] for r in con.execute("select area_code from marts.dim_force").fetchall()}
    planted = con.execute(
        "select intervention_id, type, start_date, kpi_id from marts.dim_intervention "
        "where origin = 'planted' and kpi_id is not null"
    ).df()
    rows = []
    by_key = {key: g for key, g in series.groupby(["kpi_id", "area_code"], sort=False)}
    for iv in planted.itertuples(index=False):
        pool = comparator_areas(forces, interventions, type_kpis, iv.type, iv.kpi_id)
        for area in sorted(pool):
            g = by_key.get((iv.kpi_id, area))
            if g is None:
                continue
            others = {code: by_key[(iv.kpi_id, code)] for code in pool - {area} if (iv.kpi_id, code) in by_key}
            changes = impact.national_changes_for(iv.kpi_id)
            for method, est in (
                ("its", impact.its(g["period_start"], g["value"], iv.start_date, None, None, others, changes)),
                ("did", impact.did(g, others, iv.start_date, None, changes)),
            ):
                if est.p_value is not None:
                    rows.append(
                        {
                            "kpi_id": iv.kpi_id,
                            "start": iv.start_date,
                            "area_code": area,
                            "method": method,
                            "p": est.p_value,
                        }
                    )
    return pd.DataFrame(rows, columns=["kpi_id", "start", "area_code", "method", "p"])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m concordat.methods.recovery WAREHOUSE.duckdb", file=sys.stderr)
        return 2
    con = duckdb.connect(args[0], read_only=True)
    try:
        table = planted_vs_estimated(con)
        null = untreated_significance(con)
    finally:
        con.close()
    columns = ["intervention_id", "area_code", "kpi_id", "method", "true_effect_pct", "estimate", "ci_lower"]
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.precision", 1):
        print(table[[*columns, "ci_upper", "p_value", "months_before", "months_after", "covered"]].to_string())
    print(f"covered: {int(table['covered'].sum())} of {len(table)} estimates")
    for method, g in null.groupby("method"):
        rate = float(np.mean(g["p"] < 0.05))
        print(f"untreated forces, {method} at the planted start dates: {rate:.1%} significant at 5% ({len(g)} series)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
