"""XmR SPC: hand-worked limits and every special-cause rule with its edge cases (NHSRplotthedots 0.2.x)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from concordat.methods import spc
from concordat.methods.spc import Limits, rule_flags

# Fixed limits for rule tests: mean 0, AMR 10 -> limits -/+26.6, 2-sigma lines -/+17.733...
WIDE = Limits(mean=0.0, amr=10.0, n_baseline=20)


def rules(values: list[float], limits: Limits = WIDE) -> list[str | None]:
    return list(rule_flags(values, limits).rule())


def types(values: list[float], direction: spc.Direction, limits: Limits = WIDE) -> list[str]:
    return list(spc.point_types(rule_flags(values, limits), direction))


# --- limits -------------------------------------------------------------------------------------------


def test_limits_hand_worked() -> None:
    y = [10, 12, 11, 13, 12, 14, 11, 12, 13, 12, 11, 13]
    limits = spc.xmr_limits(y)
    # mean 144/12 = 12; moving ranges 2,1,2,1,2,3,1,1,1,1,2 -> 17/11; none >= 3.267 x 17/11 = 5.05
    assert limits.mean == pytest.approx(12.0)
    assert limits.amr == pytest.approx(17 / 11)
    assert limits.ucl == pytest.approx(12 + 2.66 * 17 / 11)
    assert limits.lcl == pytest.approx(12 - 2.66 * 17 / 11)
    assert limits.near_upper == pytest.approx(12 + 1.77333333 * 17 / 11)


def test_large_moving_range_is_screened_before_the_limits() -> None:
    y = [10, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 25]
    limits = spc.xmr_limits(y)
    # MRs: ten 1s and one 15 -> mean 25/11 = 2.27; 15 >= 3.267 x 2.27 = 7.43 is screened -> AMR = 1
    assert limits.amr == pytest.approx(1.0)
    assert limits.mean == pytest.approx(140 / 12)
    chart = spc.spc(y, "higher")
    last = chart.points.iloc[-1]
    assert last["ucl"] == pytest.approx(140 / 12 + 2.66)
    assert (last["rule"], last["point_type"]) == ("outside_limits", "special_cause_improvement")


def test_fixed_baseline_uses_only_the_first_n_points() -> None:
    y = [10, 12] * 6 + [30, 31, 29, 30]
    chart = spc.spc(y, "lower", fix_after_n=12)
    assert chart.points["mean"].iloc[0] == pytest.approx(11.0)
    assert chart.points["ucl"].iloc[0] == pytest.approx(11 + 2.66 * 2)
    assert list(chart.points["rule"].iloc[12:]) == ["outside_limits"] * 4
    assert set(chart.points["point_type"].iloc[12:]) == {"special_cause_concern"}
    with pytest.raises(ValueError, match="at least 12"):
        spc.spc(y, "lower", fix_after_n=6)


def test_constant_series_has_limits_on_the_mean_and_no_special_cause() -> None:
    chart = spc.spc([0.0] * 15, "lower")
    assert (chart.points[["mean", "lcl", "ucl"]] == 0).all().all()
    assert set(chart.points["point_type"]) == {"common_cause"}
    summary = spc.summarise(chart, target=0)
    assert (summary.variation_icon, summary.assurance_icon) == ("common_cause", "consistent_pass")


def test_missing_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="missing"):
        spc.xmr_limits([1.0, np.nan, 2.0])


# --- fewer than 12 points -------------------------------------------------------------------------------


def test_fewer_than_12_points_still_get_limits_but_are_flagged_short() -> None:
    short = spc.spc([5, 7, 6, 8, 6], "higher")
    assert short.short_baseline
    assert short.points["mean"].iloc[0] == pytest.approx(6.4)
    assert short.points["ucl"].iloc[0] == pytest.approx(6.4 + 2.66 * (2 + 1 + 2 + 2) / 4)
    assert spc.summarise(short).n_points == 5
    assert not spc.spc([5, 7] * 6, "higher").short_baseline


def test_a_single_point_has_no_limits_and_is_common_cause() -> None:
    chart = spc.spc([4.0], "higher")
    row = chart.points.iloc[0]
    assert np.isnan(row["lcl"]) and np.isnan(row["ucl"])
    assert row["point_type"] == "common_cause" and row["rule"] is None
    assert spc.summarise(chart, target=3).assurance_icon is None


# --- outside limits -------------------------------------------------------------------------------------


def test_outside_limits_both_sides_and_a_point_on_a_limit_is_inside() -> None:
    assert rules([27, 26.6, -27, -26.6]) == ["outside_limits", None, "outside_limits", None]
    assert types([27, -27], "lower") == ["special_cause_concern", "special_cause_improvement"]
    assert types([27, -27], "neutral") == ["special_cause_neutral_high", "special_cause_neutral_low"]


# --- trend ----------------------------------------------------------------------------------------------


def test_seven_strictly_rising_points_are_a_trend_and_all_seven_are_flagged() -> None:
    y = [-9, -6, -3, 0, 3, 6, 9]
    assert rules(y) == ["trend"] * 7
    # coloured by the trend's direction, even the points below the mean (NHSRplotthedots PR #180)
    assert types(y, "higher") == ["special_cause_improvement"] * 7
    assert types(y, "lower") == ["special_cause_concern"] * 7


def test_six_rising_points_are_not_a_trend() -> None:
    assert rules([-9, -6, -3, 0, 3, 6]) == [None] * 6


def test_a_tie_breaks_a_trend() -> None:
    # 8 points rising except one repeat: the longest strict run is 5 points
    assert rules([-9, -6, -3, -3, 3, 6, 9, 12]) == [None] * 8


def test_falling_trend_is_improvement_when_lower_is_better() -> None:
    y = [12, 9, 6, 3, 0, -3, -6]
    assert rules(y) == ["trend"] * 7
    assert types(y, "lower") == ["special_cause_improvement"] * 7
    assert types(y, "neutral") == ["special_cause_neutral_low"] * 7


def test_trend_only_flags_the_run_not_its_neighbours() -> None:
    # NHSRplotthedots' test: c(2, 1:7, 3) -> only 1:7 form the trend
    assert rules([2, 1, 2, 3, 4, 5, 6, 7, 3], Limits(4, 10, 20)) == [None] + ["trend"] * 7 + [None]


def test_point_where_a_rise_meets_a_fall_takes_the_direction_after_it() -> None:
    y = [0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    got = types(y, "higher", Limits(3.5, 10, 20))
    assert got == ["special_cause_improvement"] * 7 + ["special_cause_concern"] * 7


# --- two of three beyond 2 sigma ------------------------------------------------------------------------


def test_two_of_three_beyond_two_sigma_on_the_same_side() -> None:
    assert rules([20, 5, 20]) == ["two_of_three", None, "two_of_three"]
    assert types([20, 5, 20], "higher") == ["special_cause_improvement", "common_cause", "special_cause_improvement"]
    assert rules([-20, -20, -1]) == ["two_of_three", "two_of_three", None]
    assert types([-20, -20, -1], "higher")[:2] == ["special_cause_concern"] * 2


def test_two_of_three_needs_all_three_points_on_the_same_side_of_the_mean() -> None:
    assert rules([20, -5, 20]) == [None] * 3
    assert rules([20, -20, 5]) == [None] * 3


def test_a_point_outside_the_limits_does_not_count_toward_two_of_three() -> None:
    # 30 is beyond the limit (26.6): it is outside_limits, and 20 alone is only one point in the 2-sigma zone
    assert rules([30, 20, 5]) == ["outside_limits", None, None]
    assert rules([30, 20, 20]) == ["outside_limits", "two_of_three", "two_of_three"]


def test_a_point_exactly_on_the_two_sigma_line_is_not_beyond_it() -> None:
    line = WIDE.near_upper
    assert rules([line, line, line]) == [None] * 3


# --- shift ----------------------------------------------------------------------------------------------


def test_seven_points_on_one_side_of_the_mean_are_a_shift() -> None:
    assert rules([1, 2, 1, 2, 1, 2, 1]) == ["shift"] * 7
    assert types([-1, -2, -1, -2, -1, -2, -1], "higher") == ["special_cause_concern"] * 7


def test_a_point_exactly_on_the_mean_breaks_a_shift() -> None:
    assert rules([1, 2, 1, 0, 2, 1, 2, 1]) == [None] * 8


def test_six_points_on_one_side_are_not_a_shift() -> None:
    assert rules([1, 2, 1, 2, 1, 2, -1]) == [None] * 7


# --- priority -------------------------------------------------------------------------------------------


def test_rule_priority_when_several_rules_apply() -> None:
    # all on one side (shift), rising (trend), the last beyond the limit (outside): outside > trend > shift
    assert rules([1, 2, 3, 4, 5, 6, 30]) == ["trend"] * 6 + ["outside_limits"]
    # a shift whose last two points are in the 2-sigma zone: two_of_three beats shift
    assert rules([1, 1, 1, 1, 1, 20, 20]) == ["shift"] * 5 + ["two_of_three"] * 2
    # a falling trend of 7 inside a longer shift: trend beats shift
    assert rules([9, 8, 7, 6, 5, 4, 3, 3, 3]) == ["trend"] * 7 + ["shift"] * 2


# --- rebasing -------------------------------------------------------------------------------------------


def _months(n: int, start: str = "2020-04-01") -> list[dt.date]:
    return [d.date() for d in pd.date_range(start, periods=n, freq="MS")]


def test_rebasing_recomputes_limits_and_runs_after_the_date() -> None:
    y = [10, 12, 11, 13, 10, 12, 11, 13, 10, 12, 11, 13, 20, 22, 21, 23, 20, 22, 21, 23, 20, 22, 21, 23]
    periods = _months(24)
    plain = spc.spc(y, "higher", period_start=periods)
    assert plain.points["rule"].iloc[12:].notna().all()  # the step is special cause against one baseline
    rebased = spc.spc(y, "higher", period_start=periods, rebase_at=[periods[12]])
    after = rebased.points.iloc[12:]
    assert after["mean"].iloc[0] == pytest.approx(21.5)
    assert rebased.points["mean"].iloc[0] == pytest.approx(11.5)
    assert set(rebased.points["segment_index"]) == {0, 1}
    assert rebased.points["rule"].isna().all()
    assert spc.summarise(rebased).variation_icon == "common_cause"


def test_rebase_date_inside_a_month_starts_the_next_period() -> None:
    periods = _months(14)
    chart = spc.spc(list(range(14)), "neutral", period_start=periods, rebase_at=[dt.date(2020, 6, 15)])
    assert list(chart.points["segment_index"]) == [0, 0, 0] + [1] * 11


def test_rebasing_without_dates_is_an_error() -> None:
    with pytest.raises(ValueError, match="period_start"):
        spc.spc([1, 2, 3], "higher", rebase_at=[dt.date(2020, 1, 1)])


# --- icons ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("point_type", "direction", "icon"),
    [
        ("common_cause", "higher", "common_cause"),
        ("special_cause_improvement", "higher", "improvement_high"),
        ("special_cause_improvement", "lower", "improvement_low"),
        ("special_cause_concern", "higher", "concern_low"),
        ("special_cause_concern", "lower", "concern_high"),
        ("special_cause_neutral_high", "neutral", "neutral_high"),
        ("special_cause_neutral_low", "neutral", "neutral_low"),
    ],
)
def test_variation_icon(point_type: str, direction: spc.Direction, icon: str) -> None:
    assert spc.variation_icon(point_type, direction) == icon


@pytest.mark.parametrize(
    ("target", "direction", "icon"),
    [
        (25, "lower", "consistent_pass"),  # the upper limit (20) is below the target
        (20, "lower", "consistent_pass"),  # on the limit: every common-cause point meets "at most 20"
        (5, "lower", "consistent_fail"),
        (15, "lower", "inconsistent"),
        (5, "higher", "consistent_pass"),
        (25, "higher", "consistent_fail"),
        (15, "higher", "inconsistent"),
        (15, "neutral", None),
        (None, "lower", None),
    ],
)
def test_assurance_icon(target: float | None, direction: spc.Direction, icon: str | None) -> None:
    assert spc.assurance_icon(target, lcl=10, ucl=20, direction=direction) == icon


def test_summary_uses_the_last_point_and_the_last_segment() -> None:
    y = [10, 12] * 6 + [40]
    summary = spc.summarise(spc.spc(y, "lower", period_start=_months(13)), target=100)
    assert summary.variation_icon == "concern_high"
    assert summary.n_points == 13
    assert summary.last_period_start == pd.Timestamp("2021-04-01")
    assert summary.assurance_icon == "consistent_pass"


def test_unknown_direction_is_rejected() -> None:
    with pytest.raises(ValueError, match="direction"):
        spc.spc([1, 2, 3], "up")  # type: ignore[arg-type]


def test_rare_event_series_keeps_its_spread_when_screening_would_remove_it() -> None:
    # 56 zeros and 4 isolated ones: every non-zero moving range (8 of 59, each 1) is >= 3.267 x AMR (0.136).
    values = [0.0] * 60
    for i in (5, 20, 35, 50):
        values[i] = 1.0
    limits = spc.xmr_limits(values)
    assert limits.mean == pytest.approx(4 / 60)
    assert limits.amr == pytest.approx(8 / 59)  # unscreened, not 0
    assert limits.ucl == pytest.approx(4 / 60 + 2.66 * 8 / 59)
    chart = spc.spc(values, direction="lower")
    rules = chart.points["rule"].to_numpy()
    # The ones stand above the limit; the zeros are never outside the limits (they were, with collapsed limits).
    assert all(rules[i] == "outside_limits" for i in (5, 20, 35, 50))
    assert not any(rules[i] == "outside_limits" for i in range(60) if values[i] == 0.0)
    # Zero against a target of zero is hit or miss here (lcl < 0 <= ucl), not "consistently failing".
    assert spc.summarise(chart, target=0.0).assurance_icon == "inconsistent"
