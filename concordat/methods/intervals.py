"""95% intervals for KPI values: the same formulas, constants and switch-over points as the dbt macros.

`warehouse/macros/intervals.sql` computes `marts.kpi_values.ci_lower/ci_upper` in SQL; this module is the reference
implementation in Python: a slow test checks both agree on every row of a built warehouse, so change the two
together. The funnel limits (`funnel`) use its exact Poisson limits and normal quantile.

- Proportions: Wilson score interval with z = 1.959963985 (Wilson 1927; Newcombe 1998, method 3).
- Counts: exact (Garwood 1936) chi-square limits for O < 10 - lower = chi2.ppf(0.025, 2O) / 2 (0 when O = 0),
  upper = chi2.ppf(0.975, 2O + 2) / 2 - and Byar's approximation for O >= 10, which is within 0.1% of the
  exact limits there and is what PHE's Fingertips technical guidance uses.
- Rates per population: the count interval scaled by `per / population`.

All functions are vectorised over numpy arrays (scalars work too) and return NaN where the interval is undefined
(a zero denominator, a missing count), as the SQL returns NULL.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2, norm

#: The two-sided 95% normal quantile, written out as the dbt macro `z95()` writes it.
Z95 = 1.959963985
#: Counts below this use exact Garwood limits; at or above it Byar's approximation (as the dbt macro).
BYAR_FROM = 10

FloatArray = NDArray[np.float64]


def z_for(confidence: float) -> float:
    """Two-sided normal quantile for a confidence level (0.95 -> Z95 exactly, so Python and SQL agree)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return Z95 if confidence == 0.95 else float(norm.ppf(0.5 + confidence / 2))


def wilson_interval(numerator: ArrayLike, denominator: ArrayLike, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for numerator/denominator, as proportions in [0, 1] (NaN when denominator <= 0).

    (p + z^2/2n -/+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n): unlike the Wald interval it never leaves [0, 1]
    and keeps its coverage for small n and for p near 0 or 1, which is where s136 shares of small forces live.
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        centre = p + z * z / (2 * n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        scale = 1 + z * z / n
        lower = np.where(n > 0, (centre - half) / scale, np.nan)
        upper = np.where(n > 0, (centre + half) / scale, np.nan)
    return lower, upper


def garwood_interval(observed: ArrayLike, confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson (Garwood) limits for observed counts O: chi2(a/2, 2O)/2 and chi2(1-a/2, 2O+2)/2."""
    o = np.asarray(observed, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        lower = np.where(o > 0, chi2.ppf(alpha / 2, 2 * np.where(o > 0, o, 1)) / 2, 0.0)
        upper = chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2
    lower = np.where(np.isnan(o), np.nan, lower)
    return lower, upper


def byar_interval(observed: ArrayLike, z: float = Z95) -> tuple[FloatArray, FloatArray]:
    """Byar's approximation to the exact Poisson limits (good for O >= 10; NaN for O = 0 on the lower side).

    lower = O (1 - 1/(9O) - z/(3 sqrt O))^3, upper = (O+1) (1 - 1/(9(O+1)) + z/(3 sqrt(O+1)))^3.
    """
    o = np.asarray(observed, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    return lower, upper


def poisson_interval(observed: ArrayLike, confidence: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Interval for a count as the warehouse computes it: exact for O < 10, Byar for O >= 10."""
    o = np.asarray(observed, dtype=float)
    exact_lo, exact_hi = garwood_interval(o, confidence)
    byar_lo, byar_hi = byar_interval(o, z_for(confidence))
    small = o < BYAR_FROM
    lower = np.where(small, exact_lo, byar_lo)
    upper = np.where(small, exact_hi, byar_hi)
    missing = np.isnan(o)
    return np.where(missing, np.nan, lower), np.where(missing, np.nan, upper)


def rate_interval(
    observed: ArrayLike, population: ArrayLike, per: float = 100_000, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Interval for a rate per `per` people: the count interval scaled by per / population (NaN when pop <= 0)."""
    pop = np.asarray(population, dtype=float)
    lower, upper = poisson_interval(observed, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(pop > 0, per / pop, np.nan)
    return lower * scale, upper * scale
