"""Data step of the Compare forces page: funnel plots of one KPI across forces, and the table behind them.

Limits come from ``concordat.methods.funnel``: pooled proportion with
inverted-Wilson limits for percents, exact Poisson limits around the pooled rate for rates per 100,000.
Forces whose figures are hidden by disclosure control are left out of a published view.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from concordat.methods import funnel as funnel_method
from dashboard import queries
from dashboard.data import Context, Table
from dashboard.shapes import Funnel, FunnelPoint, Provenance

RATE_KPI = "s136_rate_per_100k"


@dataclass(frozen=True)
class Comparison:
    funnel: Funnel | None
    table: Table
    left_out: tuple[str, ...]  # forces hidden by disclosure control or without a denominator


def comparable_kpis(ctx: Context) -> list[str]:
    """The rate per 100k and every percent KPI of the catalogue (the data-quality shares last)."""
    percents = sorted(
        (k for k, m in ctx.catalogue.items() if m.unit == "percent"), key=lambda k: (k.startswith("dq_"), k)
    )
    return ([RATE_KPI] if RATE_KPI in ctx.catalogue else []) + percents


def compare(ctx: Context, kpi_id: str) -> Comparison:
    meta = ctx.meta(kpi_id)
    frame = ctx.disclosure.kpi_frame(queries.kpi_across_forces(ctx.db, kpi_id, "financial_year", ctx.period_start))
    usable = frame[~frame.suppressed & frame.numerator.notna() & (frame.denominator.fillna(0) > 0)]
    left_out = tuple(frame.loc[~frame.index.isin(usable.index), "area_name"])
    is_rate = meta.unit == "per_100k"
    if usable.empty:
        return Comparison(None, _table(ctx, meta.name, usable, None, kpi_id), left_out)
    if is_rate:
        centre, points = funnel_method.rate_funnel(usable.numerator, usable.denominator)
    else:
        p0, points = funnel_method.proportion_funnel(usable.numerator, usable.denominator)
        centre = p0 * 100
    points.index = usable.index
    size_min, size_max = float(usable.denominator.min()), float(usable.denominator.max())
    curve = funnel_method.funnel_curve(
        "rate" if is_rate else "proportion",
        centre if is_rate else centre / 100,
        max(size_min * 0.8, 1.0),
        size_max * 1.1,
    )
    scale = 1 if is_rate else 100
    result = Funnel(
        title=f"{meta.name}, {ctx.financial_year}: forces against the pooled value",
        unit=meta.unit,
        size_title="Population" if is_rate else "Denominator (detentions, contacts or episodes)",
        points=tuple(
            FunnelPoint(code=r.area_code, name=r.area_name, size=float(r.denominator), value=float(r.value))
            for r in usable.itertuples()
        ),
        centre=centre,
        size_grid=tuple(curve["size"]),
        lower95=tuple(curve["lower_95"] * scale),
        upper95=tuple(curve["upper_95"] * scale),
        lower998=tuple(curve["lower_998"] * scale),
        upper998=tuple(curve["upper_998"] * scale),
        highlight=ctx.area_code,
        provenance=Provenance(
            source=ctx.meta(kpi_id).source_text,
            period=f"all forces, {ctx.financial_year}",
            note=(
                "Dotted lines: 95% limits; dashed: 99.8% limits around the pooled value of all forces shown. "
                "A force outside the 99.8% limits differs by more than chance would explain."
                + (f" Left out (suppressed or no denominator): {', '.join(left_out)}." if left_out else "")
            ),
        ),
    )
    return Comparison(result, _table(ctx, meta.name, usable, points, kpi_id), left_out)


def _table(ctx: Context, name: str, usable: pd.DataFrame, points: pd.DataFrame | None, kpi_id: str) -> Table:
    frame = pd.DataFrame(
        {
            "Force": list(usable.area_name),
            "Code": list(usable.area_code),
            name: list(usable.value),
            "95% CI lower": list(usable.ci_lower),
            "95% CI upper": list(usable.ci_upper),
            "Numerator": list(usable.numerator),
            "Denominator": list(usable.denominator),
            "Against 95% limits": list(points["label_95"]) if points is not None else [],
            "Against 99.8% limits": list(points["label_998"]) if points is not None else [],
        }
    )
    return Table(
        title=f"{name} by force, {ctx.financial_year} (sortable: click a column header)",
        frame=frame,
        labels=pd.DataFrame("", index=frame.index, columns=frame.columns),
        filename=f"concordat_compare_{kpi_id}_{ctx.financial_year.replace('/', '-')}.csv",
    )
