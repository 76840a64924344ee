"""Rendering helpers shared by the pages: charts with captions, KPI tiles, tables with a CSV download.

These are the only places that turn data objects into Streamlit elements, so every chart gets its caption and
every table its disclosure-controlled, formula-safe download the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, context, data, export, report
from dashboard.charts import Chart
from dashboard.data import Context, Table, Tile, kpi_table
from dashboard.disclosure import INTERNAL_MARK
from dashboard.formatting import ASSURANCE_WORDS, VARIATION_WORDS, humanise
from dashboard.shapes import Marker, Provenance

#: The internal view's mark under chart titles: dark red, 7:1 contrast on white.
INTERNAL_COLOUR = "#a4262c"

#: Making Data Count icons as coloured Material icons, beside their words (``formatting``). Keys are the values
#: of marts.spc_summary. (Material icons ship with Streamlit; emoji need fonts a server or kiosk may not have.)
_VARIATION_SYMBOLS: dict[str, str] = {
    "common_cause": ":gray[:material/radio_button_unchecked:]",
    "improvement_high": ":blue[:material/trending_up:]",
    "improvement_low": ":blue[:material/trending_down:]",
    "concern_high": ":orange[:material/trending_up:]",
    "concern_low": ":orange[:material/trending_down:]",
    "neutral_high": ":violet[:material/trending_up:]",
    "neutral_low": ":violet[:material/trending_down:]",
}
_ASSURANCE_SYMBOLS: dict[str, str] = {
    "consistent_pass": ":blue[:material/check_circle:]",
    "consistent_fail": ":orange[:material/cancel:]",
    "inconsistent": ":gray[:material/help:]",
}
VARIATION_ICONS: dict[str, tuple[str, str]] = {k: (_VARIATION_SYMBOLS[k], w) for k, w in VARIATION_WORDS.items()}
ASSURANCE_ICONS: dict[str, tuple[str, str]] = {k: (_ASSURANCE_SYMBOLS[k], w) for k, w in ASSURANCE_WORDS.items()}


def icon_text(code: str | None, icons: dict[str, tuple[str, str]]) -> str | None:
    if not code:
        return None
    symbol, words = icons.get(code, ("", humanise(code).lower()))
    return f"{symbol} {words}".strip()


def sections(parts: Mapping[str, Callable[[], None]], key: str) -> None:
    """A page's sections as tabs that run lazily: only the open tab's queries and charts run and are drawn.

    A page of ten Plotly charts took 3-4 s to draw in a browser; a section of two or three, about half that.
    The open tab is kept in the URL under ``key`` (``?s136_section=Places+of+safety``), so a link reopens it.
    """
    tabs = st.tabs(list(parts), key=key, bind="query-params")
    for tab, draw in zip(tabs, parts.values(), strict=True):
        if tab.open is not False:
            with tab:
                draw()


def kpi_table_section(ctx: Context, kpi_ids: tuple[str, ...], name: str) -> Callable[[], None]:
    """A page's "Table" section: its KPIs for the chosen area and year, with the CSV download."""
    return lambda: table(kpi_table(ctx, kpi_ids, name=name), key=name)


def trend(ctx: Context, kpi_ids: tuple[str, ...], title: str, *, key: str, **options: object) -> None:
    """A trend chart of KPIs (``data.trend`` options: grain, kind, intervals, markers) with its caption."""
    shape = data.trend(ctx, kpi_ids, title, **options)  # type: ignore[arg-type]
    if not any(line.x for line in shape.lines):
        no_figures(ctx, title, shape.provenance)
    else:
        chart(charts.trend_chart(shape), key=key)


def spc(ctx: Context, kpi_id: str, title: str, markers: tuple[Marker, ...] = (), *, key: str) -> None:
    """A monthly SPC chart of a KPI with its caption."""
    shape = data.spc(ctx, kpi_id, title, markers)
    if not shape.x:
        no_figures(ctx, title, shape.provenance)
    else:
        chart(charts.spc_chart(shape), key=key)


def no_figures(ctx: Context, title: str, provenance: Provenance) -> None:
    """In place of a chart with nothing on it: the chart's title and a line saying there is nothing to draw."""
    st.info(f"**{title}**: no figures for {ctx.area_name}. Source: {provenance.source}.")


def chart(item: Chart, key: str) -> None:
    figure, config = item.figure, {"displaylogo": False}
    if context.current().disclosure.internal:  # the mark goes wherever the chart goes, a saved PNG included
        figure = go.Figure(figure).update_layout(
            title_subtitle={"text": INTERNAL_MARK, "font": {"color": INTERNAL_COLOUR}},
            margin_t=(figure.layout.margin.t or 50) + 25,
        )
        config["toImageButtonOptions"] = {"filename": f"concordat_{key}_internal"}
    st.plotly_chart(figure, width="stretch", key=key, config=config)
    st.caption(item.caption)


def report_button(ctx: Context) -> None:
    """Download the one-page board report (``concordat report``) for the chosen area and year, built on click."""
    st.download_button(
        "Board report (HTML)",
        data=lambda: report.html_bytes(ctx.db.path, ctx.area_code, ctx.financial_year),
        file_name=f"concordat_report_{ctx.slug()}.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        help="One page for a board paper: headline figures, what changed and two SPC charts, small numbers hidden. "
        "Opens offline; each chart's camera icon saves it as a PNG.",
        key="report-download",
    )


def tiles(items: tuple[Tile, ...], per_row: int = 4) -> None:
    for start in range(0, len(items), per_row):
        columns = st.columns(per_row)
        for column, tile in zip(columns, items[start : start + per_row], strict=False):
            with column:
                st.metric(
                    tile.label,
                    tile.value,
                    delta=tile.delta,
                    delta_color=tile.delta_color,  # type: ignore[arg-type]
                    delta_arrow=tile.delta_arrow,  # type: ignore[arg-type]
                    help=tile.help or None,
                    border=True,
                    chart_data=list(tile.spark) or None,
                    chart_type="line",
                )
                notes = [
                    text
                    for text in (
                        icon_text(tile.variation, VARIATION_ICONS),
                        icon_text(tile.assurance, ASSURANCE_ICONS),
                    )
                    if text
                ]
                st.caption(" · ".join(notes) if notes else "SPC: not enough points")


def table(item: Table, key: str) -> None:
    st.markdown(f"**{item.title}**")
    st.dataframe(item.display(), hide_index=True, width="stretch", key=f"{key}-table")
    st.download_button(
        "Download CSV",
        data=export.to_csv(item.frame, item.hidden),
        file_name=context.current().disclosure.file_name(item.filename),
        mime="text/csv",
        key=f"{key}-csv",
        on_click="ignore",
        icon=":material/download:",
    )
