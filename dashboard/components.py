"""Rendering helpers shared by the pages: charts with captions, KPI tiles, tables with a CSV download.

These are the only places that turn data objects into Streamlit elements, so every chart gets its caption and
every table its disclosure-controlled, formula-safe download the same way.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import export
from dashboard.charts import Chart
from dashboard.data import Table, Tile
from dashboard.formatting import humanise

#: Making Data Count icons as text: (symbol, words). Keys are the values of marts.spc_summary.
VARIATION_ICONS: dict[str, tuple[str, str]] = {
    "common_cause": ("⚪", "common cause variation"),
    "improvement_high": ("🔵", "special cause improvement (higher)"),
    "improvement_low": ("🔵", "special cause improvement (lower)"),
    "concern_high": ("🟠", "special cause concern (higher)"),
    "concern_low": ("🟠", "special cause concern (lower)"),
    "neutral_high": ("🟣", "special cause, neither better nor worse (higher)"),
    "neutral_low": ("🟣", "special cause, neither better nor worse (lower)"),
}
ASSURANCE_ICONS: dict[str, tuple[str, str]] = {
    "consistent_pass": ("✅", "will consistently meet the target"),
    "consistent_fail": ("❌", "will consistently miss the target"),
    "inconsistent": ("❔", "may hit or miss the target"),
}


def icon_text(code: str | None, icons: dict[str, tuple[str, str]]) -> str | None:
    if not code:
        return None
    symbol, words = icons.get(code, ("", humanise(code).lower()))
    return f"{symbol} {words}".strip()


def chart(item: Chart, key: str) -> None:
    st.plotly_chart(item.figure, width="stretch", key=key, config={"displaylogo": False})
    st.caption(item.caption)


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


def _styled(item: Table) -> pd.io.formats.style.Styler | pd.DataFrame:
    """Hidden cells display their label (`<5`); the underlying values stay numeric so columns sort."""
    if not bool(item.hidden.to_numpy().any()):
        return item.frame
    styler = item.frame.style
    for column in item.frame.columns:
        for label in sorted(set(item.labels[column]) - {""}):
            rows = item.labels.index[item.labels[column] == label]
            styler = styler.format(na_rep=label, subset=pd.IndexSlice[rows, [column]])
    return styler


def table(item: Table, key: str) -> None:
    st.markdown(f"**{item.title}**")
    st.dataframe(_styled(item), hide_index=True, width="stretch", key=f"{key}-table")
    st.download_button(
        "Download CSV",
        data=export.to_csv(item.frame, item.hidden),
        file_name=item.filename,
        mime="text/csv",
        key=f"{key}-csv",
        on_click="ignore",
        icon=":material/download:",
    )
