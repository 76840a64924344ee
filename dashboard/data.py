"""The pure data steps: query results in, frozen data objects out (no Streamlit, so tests can call them).

A page calls one or more of these with its ``Context`` (the serving file, the area, the financial year, the
grain and the disclosure rules) and hands the results to ``dashboard.charts`` and ``dashboard.components``.
Disclosure control is applied here, once, before anything is drawn or exported.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from concordat.methods.spc import variation_icon
from dashboard import queries
from dashboard.disclosure import Disclosure
from dashboard.formatting import (
    PCA_2017_DATE,
    UNIT_RANGE,
    VARIATION_WORDS,
    format_value,
    fy_end,
    fy_label,
    fy_start,
    humanise,
    previous_fy,
    within_unit,
)
from dashboard.queries import Serving
from dashboard.shapes import Grouped, Line, Marker, Provenance, SpcSeries, Trend

#: The vertical line marking the Policing and Crime Act 2017 changes on s136 charts.
PCA_2017_MARKER = Marker(PCA_2017_DATE, "PCA 2017 in force (11 Dec 2017)")

GRAIN_WORDS = {"month": "monthly", "quarter": "quarterly", "financial_year": "by financial year"}

#: The records behind each source a KPI is counted from (seed kpi_definitions.source), for captions.
SOURCE_WORDS = {
    "s136": "police s136 detention records",
    "custody": "police custody records",
    "triage": "street-triage contact records",
    "placements": "officer placement tracker",
}


def segment_label(segment: str) -> str:
    """`officer_placed` -> `Placed officers`; `age:Under 18` -> `Under 18`; `all` -> `All`."""
    special = {"all": "All", "officer_placed": "Officers with a placement", "officer_not_placed": "Other officers"}
    if segment in special:
        return special[segment]
    return segment.split(":", 1)[-1]


@dataclass(frozen=True)
class KpiMeta:
    kpi_id: str
    name: str
    description: str
    unit: str
    direction: str
    target: float | None
    source: str = "s136"  # the records it is counted from (SOURCE_WORDS)
    spc_rebase_date: dt.date | None = None  # the month its SPC limits are recomputed from (the rules changed)

    @property
    def source_text(self) -> str:
        """The caption's source: where the KPI's numbers come from."""
        return f"Concordat warehouse, {SOURCE_WORDS.get(self.source, self.source)} (marts.kpi_values)"


#: How a table shows a number it does not have (no figure for that year or source), as `format_value` does.
NO_FIGURE = "–"


@dataclass(frozen=True)
class Table:
    """A table to show and download: values with hidden cells as NaN and a same-shaped frame of their labels."""

    title: str
    frame: pd.DataFrame
    labels: pd.DataFrame  # "" where shown, e.g. "<5" where hidden
    filename: str

    @property
    def hidden(self) -> pd.DataFrame:
        return self.labels != ""

    def display(self) -> pd.DataFrame:
        """The table as shown: whole-number columns as integers, others to two decimals, hidden cells as `<5`.

        A column with hidden cells becomes text (Streamlit draws a missing number as `None`, whatever a Styler
        says); the others stay numeric so they sort as numbers.
        """
        out = self.frame.copy()
        hidden = self.hidden
        for column in out.columns:
            values = out[column]
            if pd.api.types.is_float_dtype(values):
                present = values.dropna()
                is_whole = present == present.round()
                if not present.empty and bool(is_whole.all()):
                    values = values.round().astype("Int64")
                elif bool(is_whole.any()):  # counts beside rates (a Value column): `782`, not `782.0`, as text
                    values = pd.Series([_number_text(v) for v in values], index=values.index, dtype=object)
                else:
                    values = values.round(2)
            missing = values.isna() & ~hidden[column]
            if bool(hidden[column].any()) or (bool(missing.any()) and pd.api.types.is_numeric_dtype(values)):
                # Streamlit draws a missing number as `None`: no figure is `–`, a hidden one its label
                labels = self.labels[column]
                cells = [labels[i] if hidden.at[i, column] else _cell_text(v) for i, v in values.items()]
                values = pd.Series(cells, index=out.index, dtype=object)
            out[column] = values
        return out


@dataclass(frozen=True)
class Context:
    """Everything a page's data step needs: chosen in the sidebar, carried in the URL."""

    db: Serving
    area_code: str
    area_name: str
    financial_year: str
    grain: str
    disclosure: Disclosure

    @property
    def period_start(self) -> dt.date:
        return fy_start(self.financial_year)

    @property
    def period_end(self) -> dt.date:
        return fy_end(self.financial_year)

    @cached_property
    def catalogue(self) -> dict[str, KpiMeta]:
        frame = queries.kpi_catalogue(self.db)
        return {
            row.kpi_id: KpiMeta(
                kpi_id=row.kpi_id,
                name=row.name,
                description=row.description or "",
                unit=row.unit,
                direction=row.direction,
                target=None if is_missing(row.target) else float(row.target),
                source=row.source,
                spc_rebase_date=None if pd.isna(row.spc_rebase_date) else pd.Timestamp(row.spc_rebase_date).date(),
            )
            for row in frame.itertuples()
        }

    def meta(self, kpi_id: str) -> KpiMeta:
        try:
            return self.catalogue[kpi_id]
        except KeyError:
            raise KeyError(f"KPI {kpi_id!r} is not in marts.dim_kpi") from None

    def slug(self) -> str:
        return f"{self.area_code}_{self.financial_year.replace('/', '-')}"


def _number_text(value: float) -> str:
    """`782` for a whole number, `12.35` otherwise (two decimals), with thousands separators; NO_FIGURE if missing."""
    if pd.isna(value):
        return NO_FIGURE
    return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"


def _cell_text(value: object) -> str:
    """A table cell as text: numbers with thousands separators; a missing one as NO_FIGURE."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return NO_FIGURE
    return f"{value:,}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def as_float(value: object) -> float | None:
    return None if is_missing(value) else float(value)  # type: ignore[arg-type]


#: Months in one period of each grain (a period's last month is its start plus this, less one).
GRAIN_MONTHS = {"month": 1, "quarter": 3, "financial_year": 12}


def period_text(dates: Sequence[dt.date], grain: str) -> str:
    """`April 2016 to March 2021, by financial year`: from the first period's start to the last period's end."""
    if not dates:
        return "no periods"
    first, last = min(dates), max(dates)
    months = last.year * 12 + last.month - 1 + GRAIN_MONTHS.get(grain, 1) - 1
    last_month = dt.date(months // 12, months % 12 + 1, 1)
    return f"{first:%B %Y} to {last_month:%B %Y}, {GRAIN_WORDS.get(grain, grain)}"


def as_dates(frame: pd.DataFrame, column: str = "period_start") -> tuple[dt.date, ...]:
    return tuple(pd.to_datetime(frame[column]).dt.date)


# --- trends -----------------------------------------------------------------------------------------------


def _year_ticks(lines: Sequence[Line]) -> tuple[tuple[dt.date, str], ...]:
    """A tick on each financial year's first period (1 April), labelled like the tables: `2016/17`."""
    starts = sorted({d for line in lines for d in line.x if isinstance(d, dt.date) and d.month == 4})
    return tuple((d, fy_label(d.year)) for d in starts)


def trend(
    ctx: Context,
    kpi_ids: Sequence[str],
    title: str,
    *,
    grain: str | None = None,
    segments: Sequence[str] = ("all",),
    kind: str = "line",
    markers: Sequence[Marker] = (),
    intervals: bool = False,
) -> Trend:
    """Some KPIs of one unit over time for the chosen area, up to the end of the chosen financial year."""
    grain = grain or ctx.grain
    frame = queries.kpi_series(ctx.db, ctx.area_code, kpi_ids, grain, ctx.period_end, segments)
    shown = ctx.disclosure.kpi_frame(frame)
    lines: list[Line] = []
    for kpi_id in kpi_ids:
        for segment in segments:
            part = shown[(shown.kpi_id == kpi_id) & (shown.segment == segment)]
            if part.empty:
                continue
            name = ctx.meta(kpi_id).name if len(segments) == 1 else segment_label(segment)
            if len(segments) > 1 and len(kpi_ids) > 1:
                name = f"{ctx.meta(kpi_id).name}: {segment_label(segment)}"
            x = tuple(part.period_label) if kind == "bar" and grain == "financial_year" else as_dates(part)
            lines.append(
                Line(
                    name=name,
                    x=x,
                    y=tuple(as_float(v) for v in part.value),
                    lower=tuple(as_float(v) for v in part.ci_lower) if intervals else None,
                    upper=tuple(as_float(v) for v in part.ci_upper) if intervals else None,
                    hidden=tuple(bool(h) for h in part.suppressed),
                )
            )
    unit = ctx.meta(kpi_ids[0]).unit
    ticks = _year_ticks(lines) if grain in ("quarter", "financial_year") else ()  # bars by year have labels
    note = _suppression_note(shown, ctx.disclosure)
    if intervals:
        note = ("Shaded band: 95% interval. " + note).strip()
    provenance = Provenance(
        source=ctx.meta(kpi_ids[0]).source_text,
        period=f"{ctx.area_name}, {period_text(as_dates(frame), grain)}",
        note=note,
    )
    return Trend(
        title=title,
        unit=unit,
        lines=tuple(lines),
        provenance=provenance,
        kind=kind,
        markers=_within(markers, as_dates(frame)),
        ticks=ticks,
    )


def _within(markers: Sequence[Marker], dates: Sequence[dt.date]) -> tuple[Marker, ...]:
    """The markers that fall inside the plotted dates (a marker outside would stretch the axis)."""
    if not dates:
        return ()
    return tuple(m for m in markers if min(dates) <= m.date <= max(dates))


#: Months a tile's sparkline covers, at most, and at least (a shorter line reads as the trend of the year).
SPARK_MONTHS = 24
SPARK_MIN_MONTHS = 12


def _spark(values: pd.Series) -> tuple[float, ...]:
    """The sparkline: the months since the last hidden or missing one, when there are at least SPARK_MIN_MONTHS of
    them. A line joining the months either side of a gap would draw values nobody may see; two months drawn as
    the tile's trend would mislead."""
    run: list[float] = []
    for value in values:
        run = [] if is_missing(value) else [*run, float(value)]
    return tuple(run) if len(run) >= SPARK_MIN_MONTHS else ()


def _hidden_text(disclosure: Disclosure, what: str = "Values") -> str:
    return (
        f"{what} based on counts under {disclosure.threshold}, or from which one could be worked out, are hidden "
        "(published view; grey crosses)."
    )


def _suppression_note(shown: pd.DataFrame, disclosure: Disclosure) -> str:
    if "suppressed" in shown and bool(shown["suppressed"].any()):
        return _hidden_text(disclosure)
    return ""


def _edges(unit: str) -> str:
    low, high = UNIT_RANGE[unit]
    return f"{format_value(low, unit)} or {format_value(high, unit)}" if high is not None else format_value(low, unit)


def spc(ctx: Context, kpi_id: str, title: str, markers: Sequence[Marker] = ()) -> SpcSeries:
    """The monthly XmR chart of one KPI; hidden months (small numbers) are left out of the plotted values."""
    points = queries.spc_points(ctx.db, ctx.area_code, kpi_id, ctx.period_end)
    monthly = ctx.disclosure.kpi_frame(queries.kpi_series(ctx.db, ctx.area_code, (kpi_id,), "month", ctx.period_end))
    hidden = set(as_dates(monthly[monthly["suppressed"]])) if not monthly.empty else set()
    x = as_dates(points)
    value = tuple(None if d in hidden else as_float(v) for d, v in zip(x, points.value, strict=True))
    note = "Grey dashed lines: process limits (mean ± 2.66 × mean moving range); coloured points: special cause."
    rebased = ctx.meta(kpi_id).spc_rebase_date  # the rules changed (Policing and Crime Act 2017)
    if rebased and x and x[0] < rebased <= x[-1]:
        note += f" Limits are recomputed from {rebased:%B %Y}, when the rules changed."
    if hidden:
        note += " " + _hidden_text(ctx.disclosure, "Months")
    unit = ctx.meta(kpi_id).unit
    lcl, ucl = ([within_unit(as_float(v), unit) for v in points[side]] for side in ("lcl", "ucl"))
    if lcl != [as_float(v) for v in points.lcl] or ucl != [as_float(v) for v in points.ucl]:
        note += f" A limit beyond what the measure can be is drawn at its edge ({_edges(unit)})."
    return SpcSeries(
        title=title,
        unit=unit,
        x=x,
        value=value,
        mean=tuple(as_float(v) for v in points["mean"]),
        lcl=tuple(lcl),
        ucl=tuple(ucl),
        hidden=tuple(d in hidden for d in x),
        point_type=tuple(str(p) if not is_missing(p) else "" for p in points.point_type),
        provenance=Provenance(
            source=f"{ctx.meta(kpi_id).source_text}; limits from marts.spc_points",
            period=f"{ctx.area_name}, {period_text(x, 'month')}",
            note=note,
        ),
        markers=_within(markers, x),
    )


# --- tables -----------------------------------------------------------------------------------------------


def kpi_table(
    ctx: Context,
    kpi_ids: Sequence[str],
    segments: Sequence[str] = ("all",),
    title: str | None = None,
    name: str = "kpis",
) -> Table:
    """This and last financial year's values of some KPIs for the chosen area, with their intervals."""
    this, last = ctx.period_start, fy_start(previous_fy(ctx.financial_year))
    frame = queries.kpi_in_periods(ctx.db, ctx.area_code, kpi_ids, "financial_year", (last, this), segments)
    shown = ctx.disclosure.kpi_frame(frame)
    order = {k: i for i, k in enumerate(kpi_ids)}
    shown = shown.assign(_order=shown.kpi_id.map(order)).sort_values(["_order", "segment", "period_start"])
    out = pd.DataFrame(
        {
            "KPI": [ctx.meta(k).name for k in shown.kpi_id],
            "Group": [segment_label(s) for s in shown.segment],
            "Financial year": list(shown.period_label),
            "Value": list(shown.value),
            "Unit": list(shown.unit),
            "Numerator": list(shown.numerator),
            "Denominator": list(shown.denominator),
            "95% CI lower": list(shown.ci_lower),
            "95% CI upper": list(shown.ci_upper),
            "kpi_id": list(shown.kpi_id),
        }
    )
    if len(segments) == 1:
        out = out.drop(columns="Group")
    labels = pd.DataFrame("", index=out.index, columns=out.columns)
    for i, row in enumerate(shown.itertuples()):
        if row.suppressed:
            label = ctx.disclosure.label if row.unit == "count" else "suppressed"
            for column in ("Value", "Numerator", "Denominator", "95% CI lower", "95% CI upper"):
                labels.iloc[i, out.columns.get_loc(column)] = label
    return Table(
        title=title or f"Figures for {ctx.area_name}, {previous_fy(ctx.financial_year)} and {ctx.financial_year}",
        frame=out.reset_index(drop=True),
        labels=labels.reset_index(drop=True),
        filename=f"concordat_{name}_{ctx.slug()}.csv",
    )


# --- headline tiles and the plain-English summary ---------------------------------------------------------


#: The Overview's headline tiles: (kpi_id, short label that fits a tile at 1280 px).
HEADLINES: tuple[tuple[str, str], ...] = (
    ("s136_detentions", "s136 detentions"),
    ("s136_rate_per_100k", "Detentions per 100k"),
    ("pos_police_station_pct", "Police station used"),
    ("u18_police_station", "Under-18s in cells"),
    ("detention_over_24h_pct", "Over 24 hours"),
    ("conveyed_by_ambulance_pct", "By ambulance"),
    ("consulted_hp_pct", "Consulted first"),
    ("s136_after_triage_pct", "After street triage"),
)


@dataclass(frozen=True)
class Tile:
    kpi_id: str
    label: str
    value: str  # as displayed (disclosure applied)
    raw_value: float | None  # None when hidden or missing
    previous_value: float | None
    delta: str | None
    delta_color: str  # normal | inverse | off (st.metric)
    delta_arrow: str  # auto | off (no arrow when nothing changed)
    variation: str | None
    assurance: str | None
    spark: tuple[float, ...]
    help: str


@dataclass(frozen=True)
class Overview:
    tiles: tuple[Tile, ...]
    summary: tuple[str, ...]
    previous_year: str


def _change(meta: KpiMeta, now: float | None, before: float | None, year: str) -> str | None:
    """`+12 (+3%) vs 2022/23`, `-1.2 pts vs 2022/23`: the change against the same period last year."""
    if now is None or before is None:
        return None
    diff = now - before
    if diff == 0:
        return f"no change vs {year}"
    if meta.unit == "percent":
        return f"{diff:+.1f} pts vs {year}"
    if meta.unit == "score":
        return f"{diff:+.2f} vs {year}"
    text = f"{'+' if diff >= 0 else '-'}{format_value(abs(diff), meta.unit, compact=True)}"
    if before:
        text += f" ({diff / before * 100:+.0f}%)"
    return f"{text} vs {year}"


def _delta_color(direction: str) -> str:
    return {"lower": "inverse", "higher": "normal"}.get(direction, "off")


def overview(ctx: Context, headlines: Sequence[tuple[str, str]] = HEADLINES) -> Overview:
    """Headline tiles for the chosen area and year, and one sentence per figure that changed."""
    kpi_ids = [kpi_id for kpi_id, _ in headlines]
    labels = dict(headlines)
    last_year = previous_fy(ctx.financial_year)
    this_start, last_start = ctx.period_start, fy_start(last_year)
    yearly = ctx.disclosure.kpi_frame(
        queries.kpi_in_periods(ctx.db, ctx.area_code, kpi_ids, "financial_year", (last_start, this_start))
    )
    monthly = ctx.disclosure.kpi_frame(queries.kpi_series(ctx.db, ctx.area_code, kpi_ids, "month", ctx.period_end))
    icons = queries.spc_summaries(ctx.db, ctx.area_code, kpi_ids, ctx.period_end).set_index("kpi_id")
    tiles: list[Tile] = []
    summary: list[str] = []
    for kpi_id in kpi_ids:
        meta = ctx.meta(kpi_id)
        rows = yearly[yearly.kpi_id == kpi_id].set_index(pd.to_datetime(yearly[yearly.kpi_id == kpi_id].period_start))
        now_row = rows.loc[pd.Timestamp(this_start)] if pd.Timestamp(this_start) in rows.index else None
        before_row = rows.loc[pd.Timestamp(last_start)] if pd.Timestamp(last_start) in rows.index else None
        now = None if now_row is None else as_float(now_row.value)
        before = None if before_row is None else as_float(before_row.value)
        hidden_now = now_row is not None and bool(now_row.suppressed)
        shown = (
            (ctx.disclosure.label if meta.unit == "count" else "hidden")
            if hidden_now
            else format_value(now, meta.unit, compact=True)
        )
        spark = _spark(monthly[monthly.kpi_id == kpi_id].value.tail(SPARK_MONTHS))
        variation, assurance = _variation(icons, kpi_id), _icon(icons, kpi_id, "assurance_icon")
        tiles.append(
            Tile(
                kpi_id=kpi_id,
                label=labels[kpi_id],
                value=shown,
                raw_value=now,
                previous_value=before,
                delta=_change(meta, now, before, last_year),
                delta_color=_delta_color(meta.direction) if now != before else "off",
                delta_arrow="auto" if now != before else "off",
                variation=variation,
                assurance=assurance,
                spark=spark,
                help=f"{meta.name}: {meta.description}",
            )
        )
        sentence = _sentence(meta, now, before, ctx.financial_year, last_year, _overlap(now_row, before_row))
        if sentence:
            summary.append(sentence)
        if variation and variation != "common_cause":
            month = pd.Timestamp(icons.at[kpi_id, "last_period_start"])
            summary.append(
                f"{meta.name}: {month:%B %Y} shows {VARIATION_WORDS.get(variation, humanise(variation).lower())} "
                "against its monthly SPC limits."
            )
    return Overview(tiles=tuple(tiles), summary=tuple(summary), previous_year=last_year)


def _variation(icons: pd.DataFrame, kpi_id: str) -> str | None:
    """The variation icon of the chosen year's last SPC month (not of the latest month loaded)."""
    point_type = _icon(icons, kpi_id, "point_type")
    if point_type is None or not bool(icons.at[kpi_id, "judged"]):  # too few points for icons (marts.spc_summary)
        return None
    return variation_icon(point_type, str(icons.at[kpi_id, "direction"]))


def _icon(icons: pd.DataFrame, kpi_id: str, column: str) -> str | None:
    if kpi_id not in icons.index or is_missing(icons.at[kpi_id, column]):
        return None
    return str(icons.at[kpi_id, column])


def _overlap(now_row: pd.Series | None, before_row: pd.Series | None) -> bool | None:
    """Whether the two years' 95% intervals overlap (None when either has none, e.g. a median)."""
    if now_row is None or before_row is None:
        return None
    bounds = [as_float(row[side]) for row in (now_row, before_row) for side in ("ci_lower", "ci_upper")]
    if any(b is None for b in bounds):
        return None
    now_lower, now_upper, before_lower, before_upper = bounds
    return max(now_lower, before_lower) <= min(now_upper, before_upper)


def _sentence(
    meta: KpiMeta, now: float | None, before: float | None, year: str, last_year: str, overlap: bool | None = None
) -> str | None:
    """`S136 detentions fell by 12% from 1,234 in 2022/23 to 1,086 in 2023/24.` (None when a value is hidden).

    A change is called an improvement or a deterioration only when the two years' 95% intervals do not overlap;
    otherwise chance alone could give it, and the sentence says so rather than judging it."""
    if now is None or before is None:
        return None
    a, b = format_value(before, meta.unit), format_value(now, meta.unit)
    if a == b:  # a change too small to show at the precision shown
        return f"{meta.name} was unchanged at {b} in {year}."
    verb = "rose" if now > before else "fell"
    if meta.unit == "percent":
        size = f"by {abs(now - before):.1f} percentage points"
    elif before:
        size = f"by {abs(now - before) / before * 100:.0f}%"
    else:
        size = ""
    judgement = ""
    if overlap:
        judgement = " (within what chance alone could give: the 95% intervals overlap)"
    elif meta.direction in ("lower", "higher"):
        better = (now < before) == (meta.direction == "lower")
        judgement = " (an improvement)" if better else " (a deterioration)"
    return f"{meta.name} {verb} {size} from {a} in {last_year} to {b} in {year}{judgement}.".replace("  ", " ")


# --- segments side by side --------------------------------------------------------------------------------


def segment_comparison(ctx: Context, kpi_ids: Sequence[str], segments: Sequence[str], title: str) -> Grouped:
    """Some percent KPIs for each segment in the chosen year, as grouped bars (e.g. placed vs other officers)."""
    frame = ctx.disclosure.kpi_frame(
        queries.kpi_in_periods(ctx.db, ctx.area_code, kpi_ids, "financial_year", (ctx.period_start,), segments)
    )
    groups = []
    for segment in segments:
        part = frame[frame.segment == segment].set_index("kpi_id")
        groups.append(
            (segment_label(segment), tuple(as_float(part.at[k, "value"]) if k in part.index else None for k in kpi_ids))
        )
    return Grouped(
        title=title,
        unit=ctx.meta(kpi_ids[0]).unit,
        categories=tuple(ctx.meta(k).name for k in kpi_ids),
        groups=tuple(groups),
        provenance=Provenance(
            source=ctx.meta(kpi_ids[0]).source_text,
            period=f"{ctx.area_name}, {ctx.financial_year}",
            note=_suppression_note(frame, ctx.disclosure),
        ),
    )
