"""Funnel-plot control limits for comparing forces (Spiegelhalter 2005), as PHE's Fingertips methods compute them.

A funnel plot shows each force's value against its size (denominator or population) with limits around the
pooled value that narrow as size grows; a force outside them differs by more than chance would explain.
Limits are drawn at 95% (about 2 sigma) and 99.8% (about 3 sigma).

Proportions (`proportion_limits`): the limits are the set of observed proportions whose **Wilson score interval
contains the pooled proportion p0**. Inverting the Wilson interval gives exactly p0 -/+ z sqrt(p0 (1 - p0) / n)
(clipped to [0, 1]), which is PHE's `sigma_adjustment` in PHEindicatormethods. So a force is labelled above or
below exactly when its own Wilson interval (the one `marts.kpi_values` shows) excludes the pooled value.

Rates per population (`rate_limits`): with E = pooled rate x population / per the expected count, the limits on
the count are the exact Poisson (chi-square) limits evaluated at E - chi2(a/2, 2E)/2 and chi2(1-a/2, 2E+2)/2 -
scaled back to a rate. These are PHE's `poisson_funnel` values (e.g. E = 200, 95% lower = 173.2409).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from concordat.methods.intervals import FloatArray, garwood_interval, z_for

#: The two funnel levels the dashboard draws.
LEVELS: tuple[float, float] = (0.95, 0.998)

Label = Literal["above", "within", "below"]


def _level_suffix(confidence: float) -> str:
    """0.95 -> '95', 0.998 -> '998': the column suffix for a level."""
    return f"{confidence * 100:g}".replace(".", "")


def proportion_limits(p0: float, n: ArrayLike, confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Funnel limits (as proportions) around the pooled proportion p0 for denominators n (inverted Wilson)."""
    if not 0 <= p0 <= 1:
        raise ValueError(f"pooled proportion must be in [0, 1], got {p0}")
    z = z_for(confidence)
    size = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = z * np.sqrt(p0 * (1 - p0) / size)
    lower = np.where(size > 0, np.clip(p0 - half, 0, 1), np.nan)
    upper = np.where(size > 0, np.clip(p0 + half, 0, 1), np.nan)
    return lower, upper


def rate_limits(
    r0: float, population: ArrayLike, confidence: float = 0.95, per: float = 100_000
) -> tuple[FloatArray, FloatArray]:
    """Funnel limits (as rates per `per`) around the pooled rate r0 for populations (exact Poisson at E)."""
    if r0 < 0:
        raise ValueError(f"pooled rate must be >= 0, got {r0}")
    pop = np.asarray(population, dtype=float)
    lo_count, hi_count = garwood_interval(r0 * pop / per, confidence)  # the exact limits at the expected count
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pop > 0, per / pop, np.nan)
    return lo_count * scale, hi_count * scale


def label(value: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> list[Label | None]:
    """'above' / 'within' / 'below' the limits (a value on a limit is within); None where anything is missing."""
    v, lo, hi = (np.asarray(a, dtype=float) for a in (value, lower, upper))
    out: list[Label | None] = []
    for x, a, b in zip(v, lo, hi, strict=True):
        if np.isnan(x) or np.isnan(a) or np.isnan(b):
            out.append(None)
        else:
            out.append("above" if x > b else "below" if x < a else "within")
    return out


def proportion_funnel(
    numerator: ArrayLike, denominator: ArrayLike, levels: Sequence[float] = LEVELS
) -> tuple[float, pd.DataFrame]:
    """Pooled proportion and, per point, its proportion, limits and label at each level.

    Returns (p0, frame) with columns `value`, `lower_95`, `upper_95`, `label_95`, `lower_998`, ... (proportions
    in [0, 1]; multiply by 100 for percent). Points with a zero denominator get NaN limits and no label.
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    if np.any(x < 0) or np.any(n < 0) or np.any(x > n):
        raise ValueError("proportion funnel needs 0 <= numerator <= denominator")
    total = n.sum()
    if total <= 0:
        raise ValueError("proportion funnel needs a positive total denominator")
    p0 = float(x.sum() / total)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, x / n, np.nan)
    frame = pd.DataFrame({"numerator": x, "denominator": n, "value": value})
    for level in levels:
        lower, upper = proportion_limits(p0, n, level)
        _add_level(frame, level, lower, upper)
    return p0, frame


def rate_funnel(
    observed: ArrayLike, population: ArrayLike, levels: Sequence[float] = LEVELS, per: float = 100_000
) -> tuple[float, pd.DataFrame]:
    """Pooled rate per `per` and, per point, its rate, limits and label at each level (as `proportion_funnel`)."""
    o = np.asarray(observed, dtype=float)
    pop = np.asarray(population, dtype=float)
    if np.any(o < 0) or np.any(pop < 0):
        raise ValueError("rate funnel needs non-negative counts and populations")
    total = pop.sum()
    if total <= 0:
        raise ValueError("rate funnel needs a positive total population")
    r0 = float(o.sum() / total * per)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(pop > 0, o / pop * per, np.nan)
    frame = pd.DataFrame({"observed": o, "population": pop, "value": value})
    for level in levels:
        lower, upper = rate_limits(r0, pop, level, per)
        _add_level(frame, level, lower, upper)
    return r0, frame


def _add_level(frame: pd.DataFrame, level: float, lower: FloatArray, upper: FloatArray) -> None:
    suffix = _level_suffix(level)
    frame[f"lower_{suffix}"] = lower
    frame[f"upper_{suffix}"] = upper
    frame[f"label_{suffix}"] = label(frame["value"], lower, upper)


def funnel_curve(
    kind: Literal["proportion", "rate"],
    centre: float,
    size_min: float,
    size_max: float,
    points: int = 100,
    levels: Sequence[float] = LEVELS,
    per: float = 100_000,
) -> pd.DataFrame:
    """The funnel lines to draw: `size` on a geometric grid from size_min to size_max and the limits per level."""
    if size_min <= 0 or size_max < size_min:
        raise ValueError("funnel curve needs 0 < size_min <= size_max")
    size = np.unique(np.geomspace(size_min, size_max, points))
    frame = pd.DataFrame({"size": size, "centre": centre})
    for level in levels:
        if kind == "proportion":
            lower, upper = proportion_limits(centre, size, level)
        else:
            lower, upper = rate_limits(centre, size, level, per)
        suffix = _level_suffix(level)
        frame[f"lower_{suffix}"] = lower
        frame[f"upper_{suffix}"] = upper
    return frame
