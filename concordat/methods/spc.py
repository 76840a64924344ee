"""XmR statistical process control, as NHS England's "Making Data Count" and NHSRplotthedots 0.2.x compute it.

Why XmR: KPI series here are monthly counts, rates and shares from one force; an individuals chart needs no
subgrouping and is the chart NHS boards already read, with its two icons (variation, assurance).

The calculation (per series, and per rebased segment of it):

1. Baseline: all points, or the first `fix_after_n` (>= 12) points when the limits are fixed.
2. Moving ranges |x_i - x_(i-1)| of the baseline; any >= 3.267 x their mean is screened out and the mean moving
   range (AMR) recomputed without it (NHSRplotthedots `screen_outliers = TRUE`).
3. Mean of the baseline; limits = mean -/+ 2.66 x AMR; the 2-sigma lines = mean -/+ (2/3 x 2.66) x AMR.
4. Special-cause rules, every point of the series against its segment's limits, in priority order (a point that
   several rules flag is reported under the first):
   - `outside_limits`: the point is above the upper or below the lower limit (a point on a limit is inside);
   - `trend`: 7 consecutive points each strictly higher (or each strictly lower) than the one before - a tie
     breaks the run; all 7 points of the run are flagged;
   - `two_of_three`: in 3 consecutive points all on the same side of the mean, at least 2 lie between the
     2-sigma line and the limit on that side; those (2 or 3) points are flagged. A point outside the limits does
     not count toward it (it is already special cause);
   - `shift`: 7 consecutive points on the same side of the mean - a point exactly on the mean breaks the run;
     all 7 are flagged.
5. Each special-cause point is high or low by the rule that decided it: the side of the mean for
   `outside_limits`, `two_of_three` and `shift`; the trend's direction for `trend` (a rising trend below the
   mean is still a rise; a point where one trend meets the next takes the direction of the step after it).
   High/low with the KPI's direction (`higher` / `lower` is better) gives improvement or concern; neutral
   KPIs get `special_cause_neutral_high` / `_low`. This is NHSRplotthedots 0.2.x (`ptd_special_cause_type`,
   after its fix of trend colouring, PR #180), whose `rule` column uses the same priority.

Rebasing at a date starts a new segment from the first period on or after it, with its own limits and runs
(runs do not carry across a rebase).

Short series: NHSRplotthedots warns below 12 points but still draws limits, and so do we: limits need 2 points
(one moving range); with 1 point the limits are NaN and the point is common cause. `SpcChart.short_baseline`
says when a segment's baseline has fewer than 12 points, so a chart can caption its limits as provisional.
Series with a constant baseline (AMR = 0, e.g. a count that is always 0) get limits equal to the mean instead of
the NaN NHSRplotthedots' screening would produce. Where screening would remove every non-zero moving range of a
series that does vary (rare events: mostly 0, an occasional 1), the unscreened AMR is kept, so the limits do not
collapse onto the mean and turn every ordinary month into special cause (NHSRplotthedots would collapse them).

Icons (`summarise`): variation from the last point's type; assurance from where the target sits against the
last segment's limits - for `lower` is better, upper limit <= target is `consistent_pass` (every common-cause
point meets it), lower limit > target `consistent_fail`, else `inconsistent` (hit or miss); mirrored for
`higher`; None when there is no target or the KPI is neutral. (NHSRplotthedots uses strict inequalities; we
count a target exactly on a limit as met, since targets here are "at most" / "at least" values such as 0.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

Direction = Literal["higher", "lower", "neutral"]
DIRECTIONS: tuple[str, ...] = ("higher", "lower", "neutral")

LIMIT_SIGMAS = 2.66  # 3 sigma = 3 / d2 (1.128) x mean moving range
NEAR_SIGMAS = 2 * LIMIT_SIGMAS / 3  # the 2-sigma line: 1.7733 x AMR
SCREEN_MULTIPLIER = 3.267  # D4 for n = 2: the upper limit of the moving-range chart
RUN_LENGTH = 7  # points in a trend or a shift
MIN_BASELINE = 12  # fewer points: limits are drawn but provisional

POINT_TYPES: tuple[str, ...] = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
#: Special-cause rules in priority order.
RULES: tuple[str, ...] = ("outside_limits", "trend", "two_of_three", "shift")
VARIATION_ICONS: tuple[str, ...] = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS: tuple[str, ...] = ("consistent_pass", "consistent_fail", "inconsistent")


@dataclass(frozen=True)
class Limits:
    """Centre line and limits of one baseline."""

    mean: float
    amr: float  # mean moving range after screening
    n_baseline: int

    @property
    def lcl(self) -> float:
        return self.mean - LIMIT_SIGMAS * self.amr

    @property
    def ucl(self) -> float:
        return self.mean + LIMIT_SIGMAS * self.amr

    @property
    def near_lower(self) -> float:
        return self.mean - NEAR_SIGMAS * self.amr

    @property
    def near_upper(self) -> float:
        return self.mean + NEAR_SIGMAS * self.amr


def xmr_limits(values: ArrayLike, fix_after_n: int | None = None) -> Limits:
    """Mean and screened mean moving range of the baseline (the first `fix_after_n` values, or all)."""
    y = np.asarray(values, dtype=float)
    if y.size == 0:
        raise ValueError("SPC needs at least one value")
    if np.isnan(y).any():
        raise ValueError("SPC values must not be missing: drop the periods with no value first")
    if fix_after_n is not None:
        if fix_after_n < MIN_BASELINE:
            raise ValueError(f"a fixed baseline needs at least {MIN_BASELINE} points, got {fix_after_n}")
        y = y[:fix_after_n]
    mean = float(y.mean())
    if y.size < 2:
        return Limits(mean, float("nan"), int(y.size))
    mr = np.abs(np.diff(y))
    amr = float(mr.mean())
    if amr > 0:
        screened = mr[mr < SCREEN_MULTIPLIER * amr]
        # Rare-event series (mostly 0 with an occasional 1) can have every non-zero moving range screened out;
        # the limits would then collapse onto the mean and every ordinary month look like special cause. Keep
        # the unscreened AMR there (a documented departure from NHSRplotthedots).
        if screened.size and screened.mean() > 0:
            amr = float(screened.mean())
    return Limits(mean, amr, int(y.size))


def _runs(start_flags: np.ndarray, n: int, length: int) -> np.ndarray:
    """Mark every point of each run: start_flags[j] says points j .. j+length-1 form a run."""
    if start_flags.size == 0:
        return np.zeros(n, dtype=bool)
    return np.convolve(start_flags.astype(int), np.ones(length, dtype=int))[:n] > 0


@dataclass(frozen=True)
class RuleFlags:
    """Which points each rule flags (before priority), and the high/low direction each rule gives a point."""

    outside_limits: np.ndarray
    trend: np.ndarray
    two_of_three: np.ndarray
    shift: np.ndarray
    side: np.ndarray  # sign(value - mean): -1, 0, 1
    trend_direction: np.ndarray  # +1 rising, -1 falling (meaningful where trend is set)

    def _ordered(self) -> list[np.ndarray]:
        return [self.outside_limits, self.trend, self.two_of_three, self.shift]

    def rule(self) -> np.ndarray:
        """The highest-priority rule flagging each point (None: common cause), as an object array."""
        return np.select(self._ordered(), list(RULES), default=None).astype(object)

    def high_low(self) -> np.ndarray:
        """+1 (high) / -1 (low) for special-cause points by their deciding rule, 0 for common cause."""
        by_rule = [self.side, self.trend_direction, self.side, self.side]
        return np.select(self._ordered(), by_rule, default=0)


def rule_flags(values: ArrayLike, limits: Limits) -> RuleFlags:
    """Evaluate the four special-cause rules for a segment of values against its limits."""
    y = np.asarray(values, dtype=float)
    n = y.size
    with np.errstate(invalid="ignore"):
        outside = (y > limits.ucl) | (y < limits.lcl)
        close = ~outside & ((y > limits.near_upper) | (y < limits.near_lower))
    side = np.sign(y - limits.mean).astype(int)
    steps = np.sign(np.diff(y)).astype(int)

    if n >= RUN_LENGTH:
        sides = sliding_window_view(side, RUN_LENGTH)
        shift_start = (sides == sides[:, :1]).all(axis=1) & (sides[:, 0] != 0)
        step_w = sliding_window_view(steps, RUN_LENGTH - 1)
        trend_start = (step_w == 1).all(axis=1) | (step_w == -1).all(axis=1)
    else:
        shift_start = trend_start = np.zeros(0, dtype=bool)
    if n >= 3:
        close_w = sliding_window_view(close, 3)
        side_w = sliding_window_view(side, 3)
        two_start = (close_w.sum(axis=1) >= 2) & (np.abs(side_w.sum(axis=1)) == 3)
    else:
        two_start = np.zeros(0, dtype=bool)

    trend = _runs(trend_start, n, RUN_LENGTH)
    # A trend point's direction: the step after it when the next point is in a trend too, else the step before.
    if n >= 2:
        next_in_trend = np.r_[trend[1:], False] & trend
        trend_direction = np.where(next_in_trend, np.r_[steps, steps[-1]], np.r_[0, steps])
    else:
        trend_direction = np.zeros(n, dtype=int)
    return RuleFlags(
        outside_limits=outside,
        trend=trend,
        two_of_three=_runs(two_start, n, 3) & close,
        shift=_runs(shift_start, n, RUN_LENGTH),
        side=side,
        trend_direction=trend_direction,
    )


def point_types(flags: RuleFlags, direction: Direction) -> np.ndarray:
    """common_cause or the special-cause type of each point, from its deciding rule and the KPI direction."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    v = flags.high_low()
    if direction == "neutral":
        high, low = "special_cause_neutral_high", "special_cause_neutral_low"
    elif direction == "higher":
        high, low = "special_cause_improvement", "special_cause_concern"
    else:
        high, low = "special_cause_concern", "special_cause_improvement"
    return np.select([v > 0, v < 0], [high, low], default="common_cause").astype(object)


@dataclass(frozen=True)
class Segment:
    """One baseline segment of a chart: its limits and, per point, the rule that flagged it and its type."""

    limits: Limits
    rule: np.ndarray
    point_type: np.ndarray


def classify(values: ArrayLike, direction: Direction, fix_after_n: int | None = None) -> Segment:
    """Limits, rules and point types of one segment (no rebasing): the core `spc` runs per segment."""
    y = np.asarray(values, dtype=float)
    limits = xmr_limits(y, fix_after_n)
    flags = rule_flags(y, limits)
    return Segment(limits, flags.rule(), point_types(flags, direction))


@dataclass(frozen=True)
class SpcChart:
    """One XmR chart: a row per point with its segment's limits, its type and the rule that flagged it."""

    points: pd.DataFrame  # period_start (if given), value, segment_index, mean, lcl, ucl, point_type, rule
    direction: Direction
    short_baseline: bool  # the last segment's baseline has fewer than MIN_BASELINE points


def spc(
    values: ArrayLike,
    direction: Direction,
    period_start: Sequence | None = None,
    rebase_at: Sequence = (),
    fix_after_n: int | None = None,
) -> SpcChart:
    """XmR chart of a series in period order (missing values must be dropped first: there are no gaps in XmR).

    `rebase_at`: dates at which limits are recomputed (needs `period_start`); `fix_after_n`: base each segment's
    limits on its first N (>= 12) points only, e.g. a pre-intervention baseline.
    """
    y = np.asarray(values, dtype=float)
    if period_start is not None:
        periods = pd.to_datetime(pd.Series(list(period_start)))
        if len(periods) != y.size:
            raise ValueError("period_start and values differ in length")
        if not periods.is_monotonic_increasing:
            raise ValueError("period_start must be in increasing order")
        rebase = np.sort(pd.to_datetime(pd.Series(list(rebase_at))).to_numpy()) if len(rebase_at) else []
        segment = np.searchsorted(np.asarray(rebase), periods.to_numpy(), side="right")
    else:
        if len(rebase_at):
            raise ValueError("rebasing at a date needs period_start")
        segment = np.zeros(y.size, dtype=int)

    frames = []
    last_limits: Limits | None = None
    for seg in np.unique(segment):
        idx = np.flatnonzero(segment == seg)
        part = classify(y[idx], direction, fix_after_n)
        frames.append(
            pd.DataFrame(
                {
                    "value": y[idx],
                    "segment_index": int(seg),
                    "mean": part.limits.mean,
                    "lcl": part.limits.lcl,
                    "ucl": part.limits.ucl,
                    "point_type": part.point_type,
                    "rule": part.rule,
                }
            )
        )
        last_limits = part.limits
    points = pd.concat(frames, ignore_index=True) if frames else _empty_points()
    if period_start is not None:
        points.insert(0, "period_start", periods.to_numpy())
    short = last_limits is None or last_limits.n_baseline < MIN_BASELINE
    return SpcChart(points=points, direction=direction, short_baseline=short)


def _empty_points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": pd.Series(dtype=float),
            "segment_index": pd.Series(dtype=int),
            "mean": pd.Series(dtype=float),
            "lcl": pd.Series(dtype=float),
            "ucl": pd.Series(dtype=float),
            "point_type": pd.Series(dtype=object),
            "rule": pd.Series(dtype=object),
        }
    )


def variation_icon(point_type: str, direction: Direction) -> str:
    """Making Data Count variation icon for the last point of a chart."""
    if point_type == "common_cause":
        return "common_cause"
    if point_type.startswith("special_cause_neutral_"):
        return point_type.removeprefix("special_cause_")
    high_is_good = direction == "higher"
    if point_type == "special_cause_improvement":
        return "improvement_high" if high_is_good else "improvement_low"
    if point_type == "special_cause_concern":
        return "concern_low" if high_is_good else "concern_high"
    raise ValueError(f"unknown point type {point_type!r}")


def assurance_icon(target: float | None, lcl: float, ucl: float, direction: Direction) -> str | None:
    """Whether the process will meet its target: consistent_pass / consistent_fail / inconsistent / None."""
    if target is None or pd.isna(target) or direction == "neutral" or pd.isna(lcl) or pd.isna(ucl):
        return None
    if direction == "lower":
        if ucl <= target:
            return "consistent_pass"
        return "consistent_fail" if lcl > target else "inconsistent"
    if lcl >= target:
        return "consistent_pass"
    return "consistent_fail" if ucl < target else "inconsistent"


@dataclass(frozen=True)
class SpcSummary:
    variation_icon: str | None
    assurance_icon: str | None
    n_points: int
    last_period_start: object | None
    short_baseline: bool


def summarise(chart: SpcChart, target: float | None = None) -> SpcSummary:
    """The two icons of a chart, from its last point and its last segment's limits."""
    pts = chart.points
    if pts.empty:
        return SpcSummary(None, None, 0, None, True)
    last = pts.iloc[-1]
    return SpcSummary(
        variation_icon=variation_icon(last["point_type"], chart.direction),
        assurance_icon=assurance_icon(target, last["lcl"], last["ucl"], chart.direction),
        n_points=len(pts),
        last_period_start=last["period_start"] if "period_start" in pts else None,
        short_baseline=chart.short_baseline,
    )
