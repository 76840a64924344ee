"""Intervention impact: ITS and DiD recover planted effects and rarely find one where none was planted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from concordat.methods import impact

# After the national PCA 2017 change, so the models fit no national term (tested separately below).
PERIODS = pd.Series(pd.date_range("2018-04-01", periods=120, freq="MS"))
START = pd.Timestamp("2023-04-01")  # month 60: five years before, five after


def synthetic(
    rng: np.random.Generator, effect: np.ndarray | float = 0.0, base: float = 100.0, phi: float = 0.3
) -> tuple[np.ndarray, float]:
    """A seasonal, trending monthly series with AR(1) noise; the effect multiplies it after START.

    Returns (values, true effect) where the true effect follows the shared definition: mean over post months of
    (expected with intervention - counterfactual) / counterfactual x 100.
    """
    t = np.arange(len(PERIODS))
    counterfactual = base * (1 + 0.002 * t) * (1 + 0.1 * np.sin(2 * np.pi * PERIODS.dt.month.to_numpy() / 12))
    noise = np.zeros(len(t))
    for i in range(1, len(t)):
        noise[i] = phi * noise[i - 1] + rng.normal(0, 0.06 * base)
    post = (PERIODS >= START).to_numpy()
    multiplier = np.where(post, effect, 0.0)
    return counterfactual * (1 + multiplier) + noise, float(np.mean(multiplier[post]) * 100)


def ramp(fraction_at_end: float) -> np.ndarray:
    """An effect growing linearly from 0 at the start to `fraction_at_end` at the last month (placements)."""
    post = (PERIODS >= START).to_numpy()
    k = np.cumsum(post)
    return np.where(post, fraction_at_end * k / post.sum(), 0.0)


def run_its(values: np.ndarray, **kwargs: object) -> impact.ImpactEstimate:
    return impact.its(PERIODS, pd.Series(values), START, **kwargs)


def comparators(rng: np.random.Generator, n: int = 10) -> dict[str, pd.DataFrame]:
    return {
        f"C{i:02d}": pd.DataFrame({"period_start": PERIODS, "value": synthetic(rng, base=rng.uniform(30, 300))[0]})
        for i in range(n)
    }


def run_did(rng: np.random.Generator, effect: float) -> tuple[impact.ImpactEstimate, float]:
    values, truth = synthetic(rng, effect)
    treated = pd.DataFrame({"period_start": PERIODS, "value": values})
    return impact.did(treated, comparators(rng), START), truth


# --- ITS ------------------------------------------------------------------------------------------------


def test_its_known_answer_on_a_nearly_exact_segmented_line() -> None:
    """Hand-worked: counterfactual 100 + 2t; from month 24 a step of -10 and a slope change of -1 per month.

    Effect in post month k (k = 0..11) is -(10 + k) against a counterfactual of 148 + 2k, so the estimate is
    mean_k(-(10 + k) / (148 + 2k)) x 100 = -9.6723%. A tiny deterministic wobble keeps the AR(1) fit defined.
    """
    periods = pd.Series(pd.date_range("2019-01-01", periods=36, freq="MS"))
    t = np.arange(36.0)
    post = t >= 24
    values = 100 + 2 * t + np.where(post, -10 - (t - 24), 0) + 0.01 * np.sin(1.7 * t)
    expected = np.mean([-(10 + k) / (148 + 2 * k) for k in range(12)]) * 100
    assert expected == pytest.approx(-9.67228, abs=1e-5)
    est = impact.its(periods, pd.Series(values), "2021-01-01", seasonal=False)
    assert est.estimate == pytest.approx(expected, abs=0.01)
    assert est.ci_lower < expected < est.ci_upper
    assert (est.months_before, est.months_after) == (24, 12)
    assert est.series["counterfactual"].iloc[30] == pytest.approx(160, abs=0.05)
    step, lower, upper = est.step  # the step change at the start, in the series' unit: -10
    assert step == pytest.approx(-10, abs=0.02) and lower < -10 < upper


def test_its_recovers_a_planted_step_within_its_interval() -> None:
    values, truth = synthetic(np.random.default_rng(11), -0.20)
    est = run_its(values)
    assert truth == pytest.approx(-20.0)
    assert est.ci_lower < truth < est.ci_upper
    assert est.p_value < 0.001
    assert (est.months_before, est.months_after) == (60, 60)
    assert est.estimate == pytest.approx(-20, abs=5)


def test_its_interval_covers_the_planted_step_in_most_series() -> None:
    rng = np.random.default_rng(2024)
    results = [run_its(v) for v, _ in (synthetic(rng, -0.15) for _ in range(100))]
    coverage = np.mean([r.ci_lower < -15 < r.ci_upper for r in results])
    assert coverage >= 0.88, coverage
    assert np.mean([r.p_value < 0.05 for r in results]) >= 0.95  # power against a 15% step


def test_its_recovers_a_ramping_effect_as_its_after_period_average() -> None:
    values, truth = synthetic(np.random.default_rng(5), ramp(-0.30))
    est = run_its(values)
    assert truth == pytest.approx(-15.25, abs=0.01)
    assert est.ci_lower < truth < est.ci_upper


def test_its_false_positive_rate_on_series_with_no_change() -> None:
    """Report: ITS rejected 'no change' at 5% in 6.5% of 400 null AR(1) seasonal series (seed 99)."""
    rng = np.random.default_rng(99)
    p_values = np.array([run_its(synthetic(rng)[0]).p_value for _ in range(400)])
    rate = float(np.mean(p_values < 0.05))
    print(f"ITS false-positive rate at 5%: {rate:.3f} over {len(p_values)} series")
    assert rate <= 0.10


def test_its_series_has_counterfactual_equal_to_fit_before_the_start() -> None:
    values, _ = synthetic(np.random.default_rng(1), -0.2)
    s = run_its(values).series
    assert list(s.columns) == ["period_start", "observed", "fitted", "counterfactual", "is_post"]
    pre, post = s[~s["is_post"]], s[s["is_post"]]
    assert np.allclose(pre["fitted"], pre["counterfactual"])
    assert (post["fitted"] < post["counterfactual"]).all()
    assert len(pre) == 60 and len(post) == 60


def test_its_drops_missing_months_and_the_transition_month() -> None:
    values, _ = synthetic(np.random.default_rng(3), -0.2)
    values[[5, 6, 70]] = np.nan
    est = impact.its(PERIODS, pd.Series(values), pd.Timestamp("2023-04-15"))  # starts mid-April: April dropped
    assert (est.months_before, est.months_after) == (58, 58)
    assert pd.Timestamp("2023-04-01") not in set(est.series["period_start"])
    assert est.series["is_post"].iloc[58] and est.series["period_start"].iloc[58] == pd.Timestamp("2023-05-01")


def test_its_ignores_months_after_the_end_date() -> None:
    values, _ = synthetic(np.random.default_rng(3), -0.2)
    est = impact.its(PERIODS, pd.Series(values), START, end_date=pd.Timestamp("2024-03-31"))
    assert (est.months_before, est.months_after) == (60, 12)


def test_its_needs_enough_months_either_side() -> None:
    values, _ = synthetic(np.random.default_rng(3))
    early = impact.its(PERIODS, pd.Series(values), pd.Timestamp("2018-12-01"))
    assert early.estimate is None and "months before" in early.note
    late = impact.its(PERIODS, pd.Series(values), pd.Timestamp("2028-01-01"))
    assert late.estimate is None and "months after" in late.note
    empty = impact.its(pd.Series([], dtype="datetime64[ns]"), pd.Series([], dtype=float), START)
    assert empty.estimate is None and empty.months_before == 0


def test_its_declines_a_relative_effect_when_the_counterfactual_is_not_positive() -> None:
    values = np.r_[np.linspace(50, 1, 60), np.zeros(60)]  # a count falling to zero: the trend projects below 0
    est = run_its(values, seasonal=False)
    assert est.estimate is None and "counterfactual" in est.note
    assert not est.series.empty


def test_a_national_change_in_the_window_is_not_taken_for_the_intervention() -> None:
    """PCA 2017 doubled health-professional consultation everywhere; a scheme starting 3 months later must not
    get the credit. With the national term the planted +10% is recovered; without it ITS is far off."""
    periods = pd.Series(pd.date_range("2014-04-01", periods=84, freq="MS"))
    rng = np.random.default_rng(17)
    months = periods.dt.to_period("M")
    national = np.where(months > pd.Period("2017-12"), 2.0, np.where(months == pd.Period("2017-12"), 1.68, 1.0))
    start = pd.Timestamp("2018-03-05")  # Sheffield's scheme: a Monday, so March 2018 is a transition month
    scheme = np.where(periods > start, 0.10, 0.0)
    values = 25 * national * (1 + scheme) + rng.normal(0, 1.0, len(periods))
    with_term = impact.its(
        periods, pd.Series(values), start, national_changes=impact.national_changes_for("consulted_hp_pct")
    )
    assert with_term.ci_lower < 10 < with_term.ci_upper
    assert abs(with_term.estimate - 10) < 5
    without = impact.its(periods, pd.Series(values), start, national_changes=())
    assert abs(without.estimate - 10) > 20


def test_its_with_a_control_series_is_not_fooled_by_a_national_rise_and_fall() -> None:
    """A national peak (demand rising then falling) shared by every force: the force's own linear trend would
    read the fall as the intervention's effect; a control series from untreated forces absorbs it."""
    rng = np.random.default_rng(8)
    t = np.arange(len(PERIODS))
    national = 1 + 0.5 * np.exp(-(((t - 75) / 18) ** 2))  # peaks 15 months after the start

    def force(base: float, effect: float = 0.0) -> np.ndarray:
        post = (PERIODS >= START).to_numpy()
        return base * national * np.where(post, 1 + effect, 1) + rng.normal(0, 0.04 * base, len(t))

    treated = force(100, -0.2)
    pool = {f"C{i}": pd.DataFrame({"period_start": PERIODS, "value": force(rng.uniform(50, 200))}) for i in range(8)}
    alone = impact.its(PERIODS, pd.Series(treated), START)
    controlled = impact.its(PERIODS, pd.Series(treated), START, comparators=pool)
    assert abs(alone.estimate + 20) > 10  # the national fall read as part of the effect
    assert controlled.ci_lower < -20 < controlled.ci_upper
    assert abs(controlled.estimate + 20) < 4
    assert controlled.comparator_areas == tuple(sorted(pool))
    placebo = impact.its(PERIODS, pd.Series(force(100)), START, comparators=pool)
    assert placebo.p_value > 0.05


def test_its_with_comparators_keeps_its_false_positive_rate() -> None:
    rng = np.random.default_rng(12)
    p_values = []
    for _ in range(150):
        values, _ = synthetic(rng)
        p_values.append(run_its(values, comparators=comparators(rng, 6)).p_value)
    rate = float(np.mean(np.array(p_values) < 0.05))
    print(f"ITS with a control series, false-positive rate at 5%: {rate:.3f} over {len(p_values)} series")
    assert rate <= 0.11


# --- DiD ------------------------------------------------------------------------------------------------


def test_did_known_answer_when_the_comparators_show_the_counterfactual_exactly() -> None:
    """Hand-worked: comparators follow shape s_t (any scale); the treated force is 50 s_t before the start and
    50 s_t x 0.8 after, so every post month is 20% below its counterfactual: the estimate is -20%."""
    shape = 1 + 0.3 * np.sin(np.arange(len(PERIODS)) / 5) + 0.002 * np.arange(len(PERIODS))
    post = (PERIODS >= START).to_numpy()
    wobble = 1e-4 * np.cos(1.3 * np.arange(len(PERIODS)))
    treated = pd.DataFrame({"period_start": PERIODS, "value": 50 * shape * np.where(post, 0.8, 1.0) + wobble})
    pool = {
        code: pd.DataFrame({"period_start": PERIODS, "value": scale * shape}) for code, scale in (("A", 7), ("B", 300))
    }
    est = impact.did(treated, pool, START)
    assert est.estimate == pytest.approx(-20, abs=0.01)
    assert est.series.loc[est.series["is_post"], "counterfactual"].to_numpy() == pytest.approx(
        50 * shape[post], rel=1e-4
    )


def test_did_recovers_a_planted_step_against_comparators() -> None:
    est, truth = run_did(np.random.default_rng(21), -0.20)
    assert est.method == "did"
    assert est.ci_lower < truth < est.ci_upper
    assert est.p_value < 0.001
    assert est.comparator_areas == tuple(f"C{i:02d}" for i in range(10))
    s = est.series
    assert np.allclose(s.loc[~s["is_post"], "fitted"], s.loc[~s["is_post"], "counterfactual"])


def test_did_false_positive_rate_on_series_with_no_change() -> None:
    """Report: DiD's rate is a little above ITS's (about 7.5% over 3,000 null series; 5.8-10.8% across seeds of
    400) - AR(1) errors estimated from 120 months understate the variance slightly."""
    rng = np.random.default_rng(1)
    p_values = np.array([run_did(rng, 0.0)[0].p_value for _ in range(300)])
    rate = float(np.mean(p_values < 0.05))
    print(f"DiD false-positive rate at 5%: {rate:.3f} over {len(p_values)} series")
    assert rate <= 0.11


def test_did_leaves_out_comparators_without_a_usable_baseline() -> None:
    rng = np.random.default_rng(4)
    values, _ = synthetic(rng, -0.1)
    pool = comparators(rng, 3)
    pool["ZERO"] = pd.DataFrame({"period_start": PERIODS, "value": np.zeros(120)})
    pool["LATE"] = pd.DataFrame({"period_start": PERIODS[80:], "value": np.ones(40)})
    est = impact.did(pd.DataFrame({"period_start": PERIODS, "value": values}), pool, START)
    assert est.comparator_areas == ("C00", "C01", "C02")
    none = impact.did(pd.DataFrame({"period_start": PERIODS, "value": values}), {}, START)
    assert none.estimate is None and "comparator" in none.note


def test_national_changes_apply_only_to_the_kpis_they_moved() -> None:
    assert [c.name for c in impact.national_changes_for("consulted_hp_pct")] == ["pca_2017"]
    assert impact.national_changes_for("s136_detentions") == ()


@pytest.mark.filterwarnings("error::RuntimeWarning")  # and no numpy warning on the console either
def test_degenerate_series_give_a_note_not_an_exception() -> None:
    constant = run_its(np.full(len(PERIODS), 5.0))  # nothing to explain: no change, or a note - never a crash
    assert constant.note is not None or constant.estimate == pytest.approx(0, abs=1e-6)
    zeros = {"Z": pd.DataFrame({"period_start": PERIODS, "value": np.r_[np.ones(60), np.zeros(60)]})}
    values, _ = synthetic(np.random.default_rng(2))
    est = impact.did(pd.DataFrame({"period_start": PERIODS, "value": values}), zeros, START)
    assert est.estimate is None and "comparators" in est.note
