"""Data step of the Partnership impact page: an intervention's ITS series and its estimates with intervals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from dashboard import queries
from dashboard.data import Context, Table, as_dates, as_float, is_missing, period_text
from dashboard.formatting import format_value
from dashboard.shapes import ItsSeries, Line, Marker, Provenance, Trend

METHOD_NAMES = {"its": "Interrupted time series", "did": "Difference-in-differences"}


@dataclass(frozen=True)
class Estimate:
    method: str
    kpi_id: str
    estimate: float | None
    ci_lower: float | None
    ci_upper: float | None
    p_value: float | None
    months_before: int | None
    months_after: int | None
    comparators: tuple[str, ...]
    step: tuple[float, float, float] | None = None  # ITS: level change at the start (KPI unit), 95% interval
    note: str | None = None  # why there is no estimate

    def sentence(self, kpi_name: str, unit: str = "") -> str:
        method = METHOD_NAMES.get(self.method, self.method)
        if self.estimate is None:
            return f"{method}: no estimate ({self.note or 'too few months or comparators'})."
        interval = ""
        if self.ci_lower is not None and self.ci_upper is not None:
            interval = f" (95% interval {self.ci_lower:+.1f}% to {self.ci_upper:+.1f}%)"
        step = ""
        if self.step is not None:
            value, lower, upper = (_signed(v, unit) for v in self.step)
            step = f" Its level stepped by {value} at the start (95% interval {lower} to {upper})."
        return (
            f"{method}: {kpi_name} changed by {self.estimate:+.1f}%{interval} against what was expected without "
            f"the intervention.{step}"
        )


def _signed(number: float, unit: str) -> str:
    """A change in a KPI's unit, signed, to one decimal (a modelled step, not a count): `+1.5 percentage points`,
    `-0.4` (detentions a month), `-2.3 h`; as `format_value` words the unit otherwise."""
    if unit == "percent":
        return f"{number:+.1f} percentage points"
    if unit in ("count", "minutes", "per_100k"):
        return f"{number:+,.1f}" + {"minutes": " min", "per_100k": " per 100k"}.get(unit, "")
    return ("-" if number < 0 else "+") + format_value(abs(number), unit)


def p_value_text(p: float | None) -> str:
    """`0.003`, `<0.001`; an en dash when there is none."""
    if p is None:
        return format_value(None, "")
    return "<0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class Impact:
    intervention_id: str
    name: str
    area_name: str
    start_date: dt.date
    kpi_id: str
    estimates: tuple[Estimate, ...]
    series: ItsSeries | None
    comparison: Trend | None  # the force against its comparators, for the difference-in-differences
    table: Table


def intervention_choices(ctx: Context) -> pd.DataFrame:
    return queries.interventions(ctx.db)


def intervention_label(name: str, area: str, start: dt.date) -> str:
    """How an intervention is offered in the picker: its name, its area (unless the name already says it) and
    when it started, e.g. `Street triage (Northumbria), from Sep 2019`."""
    where = "" if area.casefold() in name.casefold() else f" ({area})"
    return f"{name}{where}, from {start:%b %Y}"


def impact_kpis(ctx: Context, intervention_id: str) -> list[str]:
    """KPIs with an estimate for the intervention, the one it targets first."""
    register = queries.interventions(ctx.db).set_index("intervention_id")
    target = register.at[intervention_id, "kpi_id"]
    found = list(dict.fromkeys(queries.intervention_impact(ctx.db, intervention_id).kpi_id))
    if not is_missing(target) and target in found:
        found.remove(target)
        found.insert(0, target)
    return found


def impact(ctx: Context, intervention_id: str, kpi_id: str | None = None) -> Impact:
    """Estimates of every KPI of the intervention, and the ITS series of one (default: the targeted KPI)."""
    register = queries.interventions(ctx.db).set_index("intervention_id")
    row = register.loc[intervention_id]
    results = queries.intervention_impact(ctx.db, intervention_id)
    if kpi_id is None:
        kpis = impact_kpis(ctx, intervention_id)
        kpi_id = kpis[0] if kpis else (None if is_missing(row.kpi_id) else row.kpi_id)
    estimates = tuple(
        Estimate(
            method=r.method,
            kpi_id=r.kpi_id,
            estimate=as_float(r.estimate),
            ci_lower=as_float(r.ci_lower),
            ci_upper=as_float(r.ci_upper),
            p_value=as_float(r.p_value),
            months_before=None if is_missing(r.months_before) else int(r.months_before),
            months_after=None if is_missing(r.months_after) else int(r.months_after),
            comparators=tuple(c.strip() for c in str(r.comparator_areas or "").split(",") if c.strip())
            if not is_missing(r.comparator_areas)
            else (),
            step=None
            if is_missing(r.step_change)
            else (float(r.step_change), float(r.step_ci_lower), float(r.step_ci_upper)),
            note=None if is_missing(r.note) else str(r.note),
        )
        for r in results.itertuples()
    )
    start = pd.Timestamp(row.start_date).date()
    series = None
    if kpi_id:
        points = queries.intervention_series(ctx.db, intervention_id, kpi_id)
        if not points.empty:
            meta = ctx.meta(kpi_id)
            x = as_dates(points)
            series = ItsSeries(
                title=f"{meta.name}: observed, fitted and counterfactual",
                unit=meta.unit,
                x=x,
                observed=tuple(
                    None
                    if ctx.disclosure.hides_kpi(p.unit, p.observed, p.numerator, p.denominator, bool(p.is_suppressed))
                    else as_float(p.observed)
                    for p in points.itertuples()
                ),
                fitted=tuple(as_float(v) for v in points.fitted),
                counterfactual=tuple(as_float(v) for v in points.counterfactual),
                is_post=tuple(bool(v) for v in points.is_post),
                start=start,
                provenance=Provenance(
                    source=f"{ctx.meta(kpi_id).source_text}; model from marts.intervention_impact_series",
                    period=f"{row.area_name or row.area_code}, {x[0]:%B %Y} to {x[-1]:%B %Y}, monthly",
                    note="Counterfactual: the fitted pre-intervention level and trend carried forward."
                    + ("" if ctx.disclosure.internal else " Months with small numbers are hidden, as elsewhere."),
                ),
            )
    frame = pd.DataFrame(
        {
            "Method": [METHOD_NAMES.get(e.method, e.method) for e in estimates],
            "KPI": [ctx.catalogue[e.kpi_id].name if e.kpi_id in ctx.catalogue else e.kpi_id for e in estimates],
            "Change (%)": [e.estimate for e in estimates],
            "95% CI lower (%)": [e.ci_lower for e in estimates],
            "95% CI upper (%)": [e.ci_upper for e in estimates],
            "p-value": [p_value_text(e.p_value) for e in estimates],
            "Step at start (KPI unit)": [e.step[0] if e.step else None for e in estimates],
            "Step 95% CI lower": [e.step[1] if e.step else None for e in estimates],
            "Step 95% CI upper": [e.step[2] if e.step else None for e in estimates],
            "Months before": [e.months_before for e in estimates],
            "Months after": [e.months_after for e in estimates],
            "Comparator forces": [
                ", ".join(_names(ctx, e.comparators)) if e.method == "did" else "" for e in estimates
            ],
            "Note": [e.note or "" for e in estimates],
        }
    )
    table = Table(
        title=f"Impact estimates: {row['name']}",
        frame=frame,
        labels=pd.DataFrame("", index=frame.index, columns=frame.columns),
        filename=f"concordat_impact_{intervention_id}.csv",
    )
    return Impact(
        intervention_id=intervention_id,
        name=str(row["name"]),
        area_name=str(row.area_name or row.area_code),
        start_date=start,
        kpi_id=kpi_id or "",
        estimates=estimates,
        series=series,
        comparison=_comparison(ctx, row, kpi_id, start, estimates),
        table=table,
    )


def _names(ctx: Context, codes: tuple[str, ...]) -> list[str]:
    """Force names for area codes (the code where the data has no name for one)."""
    areas = queries.areas(ctx.db)
    names = dict(zip(areas.area_code, areas.area_name, strict=True))
    return [str(names.get(code, code)) for code in codes]


def _comparison(
    ctx: Context, row: pd.Series, kpi_id: str | None, start: dt.date, estimates: tuple[Estimate, ...]
) -> Trend | None:
    """The force's quarterly KPI beside the mean of the comparator forces the DiD estimate used."""
    comparators = next((e.comparators for e in estimates if e.kpi_id == kpi_id and e.comparators), ())
    if not kpi_id or not comparators:
        return None
    meta = ctx.meta(kpi_id)
    frame = ctx.disclosure.kpi_frame(queries.kpi_for_areas(ctx.db, (row.area_code, *comparators), kpi_id, "quarter"))
    if frame.empty:
        return None
    frame = frame.assign(period_start=pd.to_datetime(frame.period_start).dt.date)
    own = frame[frame.area_code == row.area_code]
    others = frame[frame.area_code != row.area_code].groupby("period_start")["value"].mean()
    name = str(row.area_name or row.area_code)
    lines = (
        Line(name, tuple(own.period_start), tuple(as_float(v) for v in own.value)),
        Line(
            f"Comparator forces (mean of {len(comparators)})",
            tuple(others.index),
            tuple(as_float(v) for v in others.values),
        ),
    )
    return Trend(
        title=f"{meta.name}: {name} against forces without the intervention",
        unit=meta.unit,
        lines=lines,
        provenance=Provenance(
            source=ctx.meta(kpi_id).source_text,
            period=period_text(as_dates(frame), "quarter"),
            note=f"Comparators: {', '.join(_names(ctx, comparators))}. Hidden (small-number) quarters are left out of "
            "the mean.",
        ),
        markers=(Marker(start, "Intervention starts"),),
    )
