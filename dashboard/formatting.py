"""How numbers read on screen: one place for units, number formats and financial-year arithmetic."""

from __future__ import annotations

import datetime as dt
import math

#: Axis titles and tile suffixes per KPI unit (specs/kpis.md units).
UNIT_AXIS: dict[str, str] = {
    "count": "Number",
    "percent": "Percent (%)",
    "per_100k": "Rate per 100,000 population",
    "hours": "Hours",
    "minutes": "Minutes",
    "score": "Change in score (1-5 scale)",
}

#: Making Data Count icons in words, keyed by the codes in marts.spc_summary (the dashboard adds symbols).
VARIATION_WORDS: dict[str, str] = {
    "common_cause": "common cause variation",
    "improvement_high": "special cause improvement (higher)",
    "improvement_low": "special cause improvement (lower)",
    "concern_high": "special cause concern (higher)",
    "concern_low": "special cause concern (lower)",
    "neutral_high": "special cause, neither better nor worse (higher)",
    "neutral_low": "special cause, neither better nor worse (lower)",
}
ASSURANCE_WORDS: dict[str, str] = {
    "consistent_pass": "will consistently meet the target",
    "consistent_fail": "will consistently miss the target",
    "inconsistent": "may hit or miss the target",
}

#: When the Policing and Crime Act 2017 changes to s136 came into force.
PCA_2017_DATE = dt.date(2017, 12, 11)


def format_value(value: float | None, unit: str, compact: bool = False) -> str:
    """`1,234`, `12.3%`, `45.6 per 100k`, `11.2 h`, `34 min`, `+0.8`; an en dash when there is no value.

    ``compact`` drops the `per 100k` suffix, for tiles whose label already names the unit.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "per_100k":
        return f"{value:,.1f}" if compact else f"{value:,.1f} per 100k"
    if unit == "hours":
        return f"{value:.1f} h"
    if unit == "minutes":
        return f"{value:.0f} min"
    if unit == "score":
        return f"{value:+.2f}"
    return f"{value:,.2f}"


def utc_time(value: dt.datetime) -> str:
    """A stored (naive UTC) timestamp as the dashboard shows it: `23 Nov 2026 21:06 UTC`."""
    return f"{value:%d %b %Y %H:%M} UTC"


def unit_axis(unit: str) -> str:
    return UNIT_AXIS.get(unit, unit)


#: The values a KPI of each unit can take (None: no bound). A score is a change, so it may fall below 0.
UNIT_RANGE: dict[str, tuple[float | None, float | None]] = {
    "count": (0, None),
    "percent": (0, 100),
    "per_100k": (0, None),
    "hours": (0, None),
    "minutes": (0, None),
}


def within_unit(value: float | None, unit: str) -> float | None:
    """`value` moved to the nearest value the unit can take: an SPC limit of -2.3 detentions is drawn at 0."""
    if value is None:
        return None
    low, high = UNIT_RANGE.get(unit, (None, None))
    if low is not None and value < low:
        return low
    if high is not None and value > high:
        return high
    return value


def fy_label(start_year: int) -> str:
    """2023 -> `2023/24` (UK financial year, April to March)."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def fy_start(label: str) -> dt.date:
    """`2023/24` -> 1 April 2023."""
    return dt.date(int(label[:4]), 4, 1)


def fy_end(label: str) -> dt.date:
    """`2023/24` -> 31 March 2024."""
    return dt.date(int(label[:4]) + 1, 3, 31)


def previous_fy(label: str) -> str:
    return fy_label(int(label[:4]) - 1)


def humanise(code: str | None) -> str:
    """`special_cause_concern` -> `Special cause concern`."""
    if not code:
        return "–"
    text = str(code).replace("_", " ").strip()
    return text[:1].upper() + text[1:]
