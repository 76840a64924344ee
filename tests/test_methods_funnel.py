"""Funnel-plot limits: PHE's published values, the hand-worked formula, and consistency with Wilson intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from concordat.methods import funnel, intervals

Z95 = 1.959963985


def test_proportion_limits_hand_worked() -> None:
    # p0 = 0.3, n = 100: 0.3 -/+ 1.96 x sqrt(0.21 / 100) = 0.3 -/+ 0.0898...
    lo, hi = funnel.proportion_limits(0.3, [100])
    half = Z95 * math.sqrt(0.3 * 0.7 / 100)
    assert (lo[0], hi[0]) == pytest.approx((0.3 - half, 0.3 + half), rel=1e-12)
    assert (lo[0], hi[0]) == pytest.approx((0.210183, 0.389817), abs=1e-6)


def _phe_sigma_adjustment(z: float, n: float, p0: float, side: str) -> float:
    """PHEindicatormethods' sigma_adjustment formula (R/Funnels.R), transcribed as published, as a proportion."""
    first = p0 * (n / z**2 + 1)
    inner = n * (p0 * (n / z**2 + 2) - 1) + z**2 * (p0 - 1)
    adj = math.sqrt((-8 * p0 * (n / z**2 + 1)) ** 2 - 64 * (1 / z**2 + 1 / n) * p0 * inner)
    last = 1 / z**2 + 1 / n
    return ((first - adj / 8) if side == "low" else (first + adj / 8)) / last / n


@pytest.mark.parametrize("n", [12, 100, 1523])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_proportion_limits_equal_phes_sigma_adjustment(n: int, confidence: float) -> None:
    z = intervals.z_for(confidence)
    lo, hi = funnel.proportion_limits(0.42, [n], confidence)
    assert lo[0] == pytest.approx(max(0.0, _phe_sigma_adjustment(z, n, 0.42, "low")), rel=1e-9)
    assert hi[0] == pytest.approx(min(1.0, _phe_sigma_adjustment(z, n, 0.42, "high")), rel=1e-9)


def test_a_point_is_outside_the_proportion_funnel_exactly_when_its_wilson_interval_excludes_p0() -> None:
    p0 = 0.2731
    for n in (5, 20, 137, 1000):
        x = np.arange(n + 1)
        lo, hi = funnel.proportion_limits(p0, np.full(n + 1, n))
        labels = funnel.label(x / n, lo, hi)
        w_lo, w_hi = intervals.wilson_interval(x, n)
        expected = ["above" if a > p0 else "below" if b < p0 else "within" for a, b in zip(w_lo, w_hi, strict=True)]
        assert labels == expected


def test_rate_limits_match_phes_poisson_funnel_examples() -> None:
    # PHStatsMethods / PHEindicatormethods tests: poisson_funnel(200, 0.025, "low") = 173.24086241...,
    # poisson_funnel(500, 0.001, "high") = 573.02747672... (their bisection stops at 1e-7 on a 0-1 scale)
    lo, _ = funnel.rate_limits(200.0, [100_000], 0.95)
    _, hi = funnel.rate_limits(500.0, [100_000], 0.998)
    assert lo[0] == pytest.approx(173.24086241121654, rel=1e-6)
    assert hi[0] == pytest.approx(573.0274767209943, rel=1e-6)


def test_rate_limits_scale_with_population() -> None:
    # pooled 30 per 100k; a force of 2 million people expects E = 600: limits = exact Poisson at E, / 20
    lo, hi = funnel.rate_limits(30.0, [2_000_000])
    assert lo[0] == pytest.approx(chi2.ppf(0.025, 1200) / 2 / 20, rel=1e-12)
    assert hi[0] == pytest.approx(chi2.ppf(0.975, 1202) / 2 / 20, rel=1e-12)
    lo, hi = funnel.rate_limits(0.0, [1000])
    assert (lo[0], hi[0]) == pytest.approx((0.0, chi2.ppf(0.975, 2) / 2 * 100))


def test_proportion_funnel_pools_and_labels() -> None:
    p0, frame = funnel.proportion_funnel([10, 30, 200, 0], [100, 100, 1000, 0])
    assert p0 == pytest.approx(240 / 1200)
    assert list(frame["label_95"].iloc[:3]) == ["below", "above", "within"]
    assert pd.isna(frame["label_95"].iloc[3])
    assert (frame["lower_998"] <= frame["lower_95"]).iloc[:3].all()
    assert (frame["upper_998"] >= frame["upper_95"]).iloc[:3].all()
    with pytest.raises(ValueError):
        funnel.proportion_funnel([5], [4])


def test_rate_funnel_pools_and_labels() -> None:
    r0, frame = funnel.rate_funnel([100, 400, 210], [1_000_000, 1_000_000, 1_000_000])
    assert r0 == pytest.approx(710 / 3_000_000 * 100_000)
    assert list(frame["label_95"]) == ["below", "above", "within"]
    assert list(frame["value"]) == pytest.approx([10, 40, 21])


def test_funnel_curve_narrows_as_size_grows() -> None:
    curve = funnel.funnel_curve("rate", 25.0, 50_000, 5_000_000, points=50)
    assert np.all(np.diff(curve["upper_95"]) < 0) and np.all(np.diff(curve["lower_95"]) > 0)
    assert np.all(curve["upper_998"] > curve["upper_95"])
    prop = funnel.funnel_curve("proportion", 0.2, 10, 10_000)
    assert np.all(np.diff(prop["upper_95"]) <= 0)
    with pytest.raises(ValueError):
        funnel.funnel_curve("rate", 25.0, 0, 10)
