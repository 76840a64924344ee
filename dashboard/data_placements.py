"""Data step of the Officer placements page's services and settings: where officers were placed, and how it went.

Counts come straight from ``marts.fct_placements`` (placements starting in the chosen financial year, in the
chosen area's forces). Disclosure control as everywhere: counts under the threshold are hidden, and so is the
next smallest part of the same total (the services of the year's total, which the KPI table shows; a service's
completed / withdrawn / other), and a hidden service total hides its parts, so no hidden cell can be worked out
by adding or subtracting shown ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import queries
from dashboard.data import Context, Table
from dashboard.disclosure import SECONDARY_LABEL, Disclosure, secondary_suppression
from dashboard.shapes import Grouped, Provenance

PARTS = ("completed", "withdrawn", "other")
COLUMNS = {
    "setting": "Setting",
    "service": "Service",
    "started": "Placements started",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
    "other": "In progress or rescheduled",
}


@dataclass(frozen=True)
class Services:
    chart: Grouped | None
    table: Table


def disclose(disclosure: Disclosure, raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The counts with hidden cells as NaN, and the mask of hidden cells (primary, then secondary)."""
    counts = ["started", *PARTS]
    shown, hidden = disclosure.count_frame(raw, counts)
    if disclosure.internal or raw.empty:
        return shown, hidden
    started = {i: float(v) for i, v in raw["started"].items()}
    for i in secondary_suppression(started, set(raw.index[hidden["started"]])):
        hidden.at[i, "started"] = True
    for i in raw.index:
        if hidden.at[i, "started"]:  # its parts would add up to it
            for p in PARTS:
                hidden.at[i, p] = hidden.at[i, p] or float(raw.at[i, p]) > 0
            continue
        parts = {p: float(raw.at[i, p]) for p in PARTS}
        for p in secondary_suppression(parts, {p for p in PARTS if hidden.at[i, p]}):
            hidden.at[i, p] = True
    for column in counts:
        shown[column] = pd.to_numeric(raw[column], errors="coerce").astype("float64").mask(hidden[column])
    return shown, hidden


def services(ctx: Context) -> Services:
    raw = queries.placements_by_service(ctx.db, ctx.area_code, ctx.period_start, ctx.period_end)
    raw = raw.reset_index(drop=True)
    shown, hidden = disclose(ctx.disclosure, raw)
    frame = shown[list(COLUMNS)].rename(columns=COLUMNS)
    labels = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for column, title in COLUMNS.items():
        if column in hidden:
            labels[title] = [
                (ctx.disclosure.label if ctx.disclosure.is_small(value) else SECONDARY_LABEL) if h else ""
                for h, value in zip(hidden[column], raw[column], strict=True)
            ]
    table = Table(
        f"Placements by service and setting, {ctx.area_name}, {ctx.financial_year}",
        frame,
        labels,
        f"concordat_placements_by_service_{ctx.slug()}.csv",
    )
    chart = None
    if not frame.empty:
        chart = Grouped(
            title=f"Placements started by service, {ctx.financial_year}",
            unit="count",
            categories=tuple(f"{r.service} ({r.setting})" for r in shown.itertuples()),
            groups=tuple((COLUMNS[p], tuple(None if pd.isna(v) else float(v) for v in shown[p])) for p in PARTS),
            provenance=Provenance(
                source="Concordat warehouse, officer placement tracker (marts.fct_placements)",
                period=f"{ctx.area_name}, placements starting in {ctx.financial_year}",
                note=(
                    f"Bars are completed, withdrawn and other placements end to end. In a published view a part "
                    f"under {ctx.disclosure.threshold}, or one that would reveal it, is left out, so a bar can be "
                    "short or missing; the table marks those cells."
                )
                if not ctx.disclosure.internal
                else "",
            ),
            horizontal=True,
            stacked=True,
        )
    return Services(chart, table)
