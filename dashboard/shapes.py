"""The pure data objects that charts are drawn from: frozen, Streamlit-free, easy to build in a test.

A data step (``dashboard.data``) turns query results into these; a chart function (``dashboard.charts``) turns
one of these into a Plotly figure with its caption. Missing or hidden values are ``None``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

Number = float | None


@dataclass(frozen=True)
class Marker:
    """A dated event drawn as a vertical line (e.g. the Policing and Crime Act 2017 changes)."""

    date: dt.date
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    x: tuple[dt.date, ...]
    y: tuple[Number, ...]
    lower: tuple[Number, ...] | None = None
    upper: tuple[Number, ...] | None = None
    hidden: tuple[bool, ...] = ()  # per x: a value disclosure control hides (y is None there), marked, not left blank


@dataclass(frozen=True)
class Provenance:
    """What a caption says: where the figures come from, which period, and anything to read them with."""

    source: str
    period: str
    note: str = ""

    def caption(self) -> str:
        text = f"Source: {self.source}. Period: {self.period}."
        return f"{text} {self.note}" if self.note else text


@dataclass(frozen=True)
class Trend:
    """One or more series over time, drawn as lines (or bars for a single yearly series)."""

    title: str
    unit: str
    lines: tuple[Line, ...]
    provenance: Provenance
    kind: str = "line"  # line | bar
    markers: tuple[Marker, ...] = ()
    #: (date, label) ticks for the time axis, e.g. each financial year's 1 April as `2016/17`; () for the default
    ticks: tuple[tuple[dt.date, str], ...] = ()


@dataclass(frozen=True)
class SpcSeries:
    """An XmR chart: monthly values with the mean, process limits and special-cause points."""

    title: str
    unit: str
    x: tuple[dt.date, ...]
    value: tuple[Number, ...]
    mean: tuple[Number, ...]
    lcl: tuple[Number, ...]
    ucl: tuple[Number, ...]
    point_type: tuple[str, ...]
    provenance: Provenance
    markers: tuple[Marker, ...] = ()
    hidden: tuple[bool, ...] = ()  # per month: hidden by disclosure control (value is None there)


@dataclass(frozen=True)
class FunnelPoint:
    code: str
    name: str
    size: float  # denominator: population or cases
    value: float


@dataclass(frozen=True)
class Funnel:
    """Forces against a pooled value, with 95% and 99.8% control limits over the range of sizes."""

    title: str
    unit: str
    size_title: str
    points: tuple[FunnelPoint, ...]
    centre: float
    size_grid: tuple[float, ...]
    lower95: tuple[float, ...]
    upper95: tuple[float, ...]
    lower998: tuple[float, ...]
    upper998: tuple[float, ...]
    highlight: str | None
    provenance: Provenance


@dataclass(frozen=True)
class ItsSeries:
    """Interrupted time series: observed, fitted and counterfactual lines around an intervention's start."""

    title: str
    unit: str
    x: tuple[dt.date, ...]
    observed: tuple[Number, ...]
    fitted: tuple[Number, ...]
    counterfactual: tuple[Number, ...]
    is_post: tuple[bool, ...]
    start: dt.date
    provenance: Provenance


@dataclass(frozen=True)
class Grouped:
    """Bars by category, one colour per group (e.g. published vs record-level; placed vs other officers).

    ``stacked``: the groups are parts of one total per category, drawn end to end."""

    title: str
    unit: str
    categories: tuple[str, ...]
    groups: tuple[tuple[str, tuple[Number, ...]], ...]
    provenance: Provenance
    horizontal: bool = False
    stacked: bool = False
