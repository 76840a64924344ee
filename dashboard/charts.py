"""Every Plotly figure of the dashboard. Each function takes a pure data object and returns a ``Chart``.

All figures share one colour-blind-safe palette (Okabe & Ito 2008), a title, axis titles with units and a
caption naming the source and period, and are laid out to read at 1280 px wide. SPC colours follow NHS
"Making Data Count": blue for improvement, orange for concern, grey for common cause.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from dashboard.formatting import UNIT_RANGE, unit_axis
from dashboard.shapes import Funnel, Grouped, ItsSeries, Marker, SpcSeries, Trend

#: Okabe-Ito, in the order series take them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
GREY = "#7F7F7F"
IMPROVEMENT = "#0072B2"
CONCERN = "#E69F00"
NEUTRAL_SPECIAL = "#CC79A7"
HEIGHT = 380


@dataclass(frozen=True)
class Chart:
    figure: go.Figure
    caption: str


def _layout(fig: go.Figure, title: str, other_title: str, unit: str, value_axis: str = "y") -> go.Figure:
    """Title top left; the value axis (`value_axis`) titled with the unit and, for a unit that cannot be negative,
    never below 0 (all zeros would show -1 to 1); the legend (when there is one) below the plot so it never covers
    the title."""
    entries = [t for t in fig.data if t.showlegend is not False]
    legend = fig.layout.showlegend is not False and len(entries) > 1
    x_title, y_title = (other_title, unit_axis(unit)) if value_axis == "y" else (unit_axis(unit), other_title)
    if UNIT_RANGE.get(unit, (None, None))[0] == 0:
        (fig.update_yaxes if value_axis == "y" else fig.update_xaxes)(rangemode="nonnegative")
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=HEIGHT + (50 if legend else 0),
        margin={"l": 60, "r": 20, "t": 50, "b": 110 if legend else 40},
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0},
        template="plotly_white",
        colorway=list(PALETTE),
        hovermode="x unified",
    )
    return fig


#: The legend entry of the marks on periods whose value is hidden.
HIDDEN_NAME = "Hidden (small numbers)"


def _hidden_marks(fig: go.Figure, x: list) -> None:
    """Mark the periods whose value disclosure control hides with a grey cross on the axis, so a chart of rare
    events does not read as all zeros (or as no data) where the months with a few events are hidden."""
    if not x:
        return
    fig.add_scatter(
        x=x,
        y=[0] * len(x),
        name=HIDDEN_NAME,
        mode="markers",
        marker={"color": GREY, "symbol": "x-thin-open", "size": 9, "line": {"width": 1.5, "color": GREY}},
        hovertemplate="%{x}: hidden (small numbers)<extra></extra>",
    )


def _markers(fig: go.Figure, markers: tuple[Marker, ...]) -> None:
    for marker in markers:
        fig.add_vline(x=marker.date, line={"color": "#000000", "dash": "dot", "width": 1})
        fig.add_annotation(
            x=marker.date,
            y=1,
            yref="paper",
            text=marker.label,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 11},
        )


def trend_chart(data: Trend) -> Chart:
    fig = go.Figure()
    for i, line in enumerate(data.lines):
        colour = PALETTE[i % len(PALETTE)]
        if data.kind == "bar":
            fig.add_bar(x=list(line.x), y=list(line.y), name=line.name, marker_color=colour)
            continue
        gaps = any(v is None for v in line.y)
        if line.lower is not None and line.upper is not None and gaps:
            # A band cannot bridge hidden periods: draw the interval as error bars instead.
            fig.add_scatter(
                x=list(line.x),
                y=list(line.y),
                name=line.name,
                mode="markers",
                marker={"color": colour, "size": 6},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "color": colour,
                    "thickness": 1,
                    "array": [
                        None if u is None or y is None else u - y for u, y in zip(line.upper, line.y, strict=True)
                    ],
                    "arrayminus": [
                        None if lo is None or y is None else y - lo for lo, y in zip(line.lower, line.y, strict=True)
                    ],
                },
            )
            continue
        if line.lower is not None and line.upper is not None:
            fig.add_scatter(
                x=list(line.x) + list(reversed(line.x)),
                y=list(line.upper) + list(reversed(line.lower)),
                fill="toself",
                fillcolor=colour,
                opacity=0.15,
                line={"width": 0},
                hoverinfo="skip",
                name=f"{line.name}: 95% interval",
                showlegend=False,
            )
        fig.add_scatter(
            x=list(line.x),
            y=list(line.y),
            name=line.name,
            mode="lines+markers",
            line={"color": colour, "width": 2},
            marker={"size": 4},
        )
    hidden = sorted({x for line in data.lines for x, h in zip(line.x, line.hidden, strict=False) if h})
    _hidden_marks(fig, hidden)
    fig.update_layout(showlegend=len(data.lines) > 1 or bool(hidden), barmode="group")
    shown = [v for line in data.lines for v in line.y if v is not None]
    if data.kind == "bar" and shown and not any(shown):  # bars of 0 draw nothing: say it
        fig.add_annotation(text="0 in every period shown", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False)
    if data.ticks:
        fig.update_xaxes(tickvals=[d for d, _ in data.ticks], ticktext=[label for _, label in data.ticks])
    _markers(fig, data.markers)
    return Chart(_layout(fig, data.title, "Period", data.unit), data.provenance.caption())


def spc_chart(data: SpcSeries) -> Chart:
    x = list(data.x)
    fig = go.Figure()
    fig.add_scatter(
        x=x,
        y=list(data.ucl),
        name="Upper process limit",
        mode="lines",
        line={"color": GREY, "dash": "dash", "width": 1},
    )
    fig.add_scatter(
        x=x,
        y=list(data.lcl),
        name="Lower process limit",
        mode="lines",
        line={"color": GREY, "dash": "dash", "width": 1},
    )
    fig.add_scatter(x=x, y=list(data.mean), name="Mean", mode="lines", line={"color": "#000000", "width": 1})
    fig.add_scatter(
        x=x,
        y=list(data.value),
        name="Monthly value",
        mode="lines+markers",
        line={"color": GREY, "width": 1.5},
        marker={"color": GREY, "size": 5},
    )
    _hidden_marks(fig, [d for d, h in zip(x, data.hidden, strict=False) if h])
    for label, colour, kind in (
        ("Special cause: improvement", IMPROVEMENT, "improvement"),
        ("Special cause: concern", CONCERN, "concern"),
        ("Special cause (neither better nor worse)", NEUTRAL_SPECIAL, "neutral"),
    ):  # a hidden month's special cause is not drawn (nor listed): its value is not shown
        picked = [i for i, p in enumerate(data.point_type) if _special_kind(p) == kind and data.value[i] is not None]
        if picked:
            fig.add_scatter(
                x=[x[i] for i in picked],
                y=[data.value[i] for i in picked],
                name=label,
                mode="markers",
                marker={"color": colour, "size": 9, "line": {"width": 1, "color": "#000"}},
            )
    _markers(fig, data.markers)
    return Chart(_layout(fig, data.title, "Month", data.unit), data.provenance.caption())


def _special_kind(point_type: str | None) -> str | None:
    """Map the SPC point type of marts.spc_points to improvement / concern / neutral (None: common cause)."""
    text = (point_type or "").lower()
    if not text or "common" in text:
        return None
    if "improv" in text:
        return "improvement"
    if "concern" in text or "deterior" in text:
        return "concern"
    return "neutral" if "special" in text or "high" in text or "low" in text else None


def funnel_chart(data: Funnel) -> Chart:
    fig = go.Figure()
    grid = list(data.size_grid)
    for lower, upper, label, dash in (
        (data.lower998, data.upper998, "99.8% limits", "dash"),
        (data.lower95, data.upper95, "95% limits", "dot"),
    ):
        fig.add_scatter(x=grid, y=list(upper), name=label, mode="lines", line={"color": GREY, "dash": dash})
        fig.add_scatter(
            x=grid, y=list(lower), name=label, mode="lines", line={"color": GREY, "dash": dash}, showlegend=False
        )
    fig.add_scatter(
        x=[grid[0], grid[-1]],
        y=[data.centre, data.centre],
        name="All forces (pooled)",
        mode="lines",
        line={"color": "#000000", "width": 1},
    )
    others = [p for p in data.points if p.code != data.highlight]
    chosen = [p for p in data.points if p.code == data.highlight]
    fig.add_scatter(
        x=[p.size for p in others],
        y=[p.value for p in others],
        text=[p.name for p in others],
        name="Force",
        mode="markers",
        marker={"color": PALETTE[0], "size": 8},
        hovertemplate="%{text}: %{y:.1f}<extra></extra>",
    )
    if chosen:
        fig.add_scatter(
            x=[p.size for p in chosen],
            y=[p.value for p in chosen],
            text=[p.name for p in chosen],
            name=chosen[0].name,
            mode="markers+text",
            textposition="top center",
            marker={"color": PALETTE[3], "size": 13, "symbol": "diamond"},
            hovertemplate="%{text}: %{y:.1f}<extra></extra>",
        )
    fig = _layout(fig, data.title, data.size_title, data.unit)
    fig.update_layout(hovermode="closest")
    return Chart(fig, data.provenance.caption())


def its_chart(data: ItsSeries) -> Chart:
    x = list(data.x)
    post = [v if p else None for v, p in zip(data.counterfactual, data.is_post, strict=True)]
    fig = go.Figure()
    fig.add_scatter(x=x, y=list(data.observed), name="Observed", mode="markers", marker={"color": GREY, "size": 6})
    fig.add_scatter(
        x=x,
        y=list(data.fitted),
        name="Fitted (segmented regression)",
        mode="lines",
        line={"color": PALETTE[0], "width": 2},
    )
    fig.add_scatter(
        x=x,
        y=post,
        name="Counterfactual (no intervention)",
        mode="lines",
        line={"color": PALETTE[1], "width": 2, "dash": "dash"},
    )
    _markers(fig, (Marker(data.start, "Intervention starts"),))
    # a counterfactual projected below 0 leaves the plot (the estimate is then declined)
    return Chart(_layout(fig, data.title, "Month", data.unit), data.provenance.caption())


def grouped_chart(data: Grouped) -> Chart:
    fig = go.Figure()
    for i, (name, values) in enumerate(data.groups):
        if data.horizontal:
            fig.add_bar(
                y=list(data.categories),
                x=list(values),
                name=name,
                orientation="h",
                marker_color=PALETTE[i % len(PALETTE)],
            )
        else:
            fig.add_bar(x=list(data.categories), y=list(values), name=name, marker_color=PALETTE[i % len(PALETTE)])
    fig.update_layout(barmode="stack" if data.stacked else "group", showlegend=len(data.groups) > 1)
    if data.horizontal:
        fig = _layout(fig, data.title, "", data.unit, value_axis="x")
        fig.update_layout(height=max(HEIGHT, 40 * len(data.categories) + 120), yaxis={"autorange": "reversed"})
    else:
        fig = _layout(fig, data.title, "", data.unit)
    fig.update_layout(hovermode="closest")
    return Chart(fig, data.provenance.caption())
