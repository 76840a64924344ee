"""Wilson and exact Poisson / Byar intervals: published values, hand-worked formulas, and the dbt macros' seed."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import numpy as np
import pytest

from concordat.methods import intervals

REPO = Path(__file__).resolve().parents[1]
Z = 1.959963985


@pytest.mark.parametrize(
    ("x", "n", "lower", "upper"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombes_published_examples(x: int, n: int, lower: float, upper: float) -> None:
    lo, hi = intervals.wilson_interval(x, n)
    assert float(lo) == pytest.approx(lower, abs=5e-5)
    assert float(hi) == pytest.approx(upper, abs=5e-5)


def test_wilson_hand_worked() -> None:
    # 65 of 100 (PHEindicatormethods' wilson_lower example): p = 0.65, z^2 = 3.8415
    p, n, z2 = 0.65, 100, Z * Z
    centre = (p + z2 / 200) / (1 + z2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    lo, hi = intervals.wilson_interval(65, 100)
    assert (float(lo), float(hi)) == pytest.approx((centre - half, centre + half), rel=1e-12)
    assert float(lo) == pytest.approx(0.5525, abs=1e-4)


def test_wilson_is_nan_for_a_zero_denominator_and_vectorised() -> None:
    lo, hi = intervals.wilson_interval([3, 0, 5], [10, 0, 5])
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    assert hi[2] == pytest.approx(1.0)
    assert lo[0] < 0.3 < hi[0]


@pytest.mark.parametrize(
    ("observed", "lower", "upper"),
    [
        # exact Poisson limits as tabulated (e.g. Garwood 1936; PHE technical guidance tables)
        (0, 0.0, 3.6889),
        (1, 0.0253, 5.5716),
        (5, 1.6235, 11.6683),
        (9, 4.1154, 17.0848),
    ],
)
def test_garwood_matches_the_published_table(observed: int, lower: float, upper: float) -> None:
    lo, hi = intervals.garwood_interval(observed)
    assert (float(lo), float(hi)) == pytest.approx((lower, upper), abs=5e-5)


def test_byar_hand_worked_and_close_to_exact() -> None:
    o = 10.0
    lower = o * (1 - 1 / (9 * o) - Z / (3 * math.sqrt(o))) ** 3
    upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + Z / (3 * math.sqrt(o + 1))) ** 3
    lo, hi = intervals.byar_interval(o)
    assert (float(lo), float(hi)) == pytest.approx((lower, upper), rel=1e-12)
    assert (float(lo), float(hi)) == pytest.approx((4.7874, 18.3915), abs=1e-4)
    for count in (10, 50, 500):
        exact = np.array(intervals.garwood_interval(count))
        assert np.array(intervals.byar_interval(count)) == pytest.approx(exact, rel=2e-3)


def test_poisson_interval_switches_from_exact_to_byar_at_10() -> None:
    lo, hi = intervals.poisson_interval([9, 10])
    assert (lo[0], hi[0]) == tuple(float(v) for v in intervals.garwood_interval(9))
    assert (lo[1], hi[1]) == tuple(float(v) for v in intervals.byar_interval(10))
    lo, hi = intervals.poisson_interval([np.nan])
    assert np.isnan(lo[0]) and np.isnan(hi[0])


def test_rate_interval_scales_the_count_interval() -> None:
    lo, hi = intervals.rate_interval(50, 500_000)
    c_lo, c_hi = intervals.poisson_interval(50)
    assert (float(lo), float(hi)) == pytest.approx((float(c_lo) / 5, float(c_hi) / 5))
    lo, _ = intervals.rate_interval(5, 0)
    assert np.isnan(lo)


def test_z_for() -> None:
    assert intervals.z_for(0.95) == Z
    assert intervals.z_for(0.998) == pytest.approx(3.090232, abs=1e-6)
    with pytest.raises(ValueError):
        intervals.z_for(95)


def test_exact_limits_agree_with_the_dbt_seed() -> None:
    """The dbt macro reads exact limits for O < 10 from a seed: it must hold what this module computes."""
    with (REPO / "warehouse" / "seeds" / "poisson_exact_limits.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["observed"]) for r in rows] == list(range(10))
    observed = [int(r["observed"]) for r in rows]
    lo, hi = intervals.garwood_interval(observed)
    assert lo == pytest.approx([float(r["lower"]) for r in rows], abs=1e-9)
    assert hi == pytest.approx([float(r["upper"]) for r in rows], abs=1e-9)


@pytest.mark.slow
def test_every_kpi_values_interval_matches_these_functions(small_built_home: Path) -> None:
    """On a real built warehouse, the dbt macros and this module give the same interval for every row."""
    con = duckdb.connect(str(small_built_home / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            """
            select unit, numerator, denominator, value, ci_lower, ci_upper
            from marts.kpi_values
            where unit in ('percent', 'count', 'per_100k') and numerator is not null
            """
        ).df()
    finally:
        con.close()
    checked = 0
    for unit, frame in rows.groupby("unit"):
        x = frame["numerator"].to_numpy(float)
        if unit == "percent":
            lo, hi = intervals.wilson_interval(x, frame["denominator"].to_numpy(float))
            lo, hi = lo * 100, hi * 100
        elif unit == "count":
            lo, hi = intervals.poisson_interval(x)
        else:  # per_100k: the denominator is the population
            population = frame["denominator"].to_numpy(float)
            np.testing.assert_allclose(frame["value"], x / population * 100_000, rtol=1e-9)
            lo, hi = intervals.rate_interval(x, population)
        got_lo, got_hi = frame["ci_lower"].to_numpy(float), frame["ci_upper"].to_numpy(float)
        np.testing.assert_allclose(got_lo, lo, rtol=1e-7, atol=1e-7, err_msg=f"{unit} ci_lower")
        np.testing.assert_allclose(got_hi, hi, rtol=1e-7, atol=1e-7, err_msg=f"{unit} ci_upper")
        checked += len(frame)
    assert checked > 1000
    assert set(rows["unit"]) == {"percent", "count", "per_100k"}
