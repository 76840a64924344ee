"""Did an intervention change a KPI? Interrupted time series and difference-in-differences on monthly series.

One effect definition everywhere (docs/ARCHITECTURE.md): the **mean over the post-intervention months of
(expected value with the intervention - counterfactual) / counterfactual x 100**, a relative change in percent.
For a step that is the step's share; for an effect that ramps up it is the after-period average. The demo
generator writes the true value of it, so the estimates below can be checked against planted effects.

Interrupted time series (`its`): segmented regression of the force's monthly value on
    level + time + step (1 from the first full month on or after the start) + time since the start
    (+ month-of-year terms when there are at least 24 months before, since s136 demand is seasonal),
fitted with AR(1) errors by iterated feasible GLS (statsmodels `GLSAR`, Cochrane-Orcutt), so the standard
errors account for the autocorrelation of monthly series. (We measured Newey-West/HAC with 3 lags as well: on
120-month series it rejected a true null 9-12% of the time at 5%; GLSAR 6-7%. See tests/test_methods_impact.py.)
The fitted effect in month t is step + slope_change x
months_since_start; the estimate is mean_t(effect_t / counterfactual_t), a linear combination of the two
coefficients once the counterfactual denominators are treated as fixed, so its 95% interval and p-value are
the t-test of that contrast (`results.t_test`). Treating the denominators as fixed ignores their own
uncertainty, which is small next to the effect's when there are a few years before the start.

Difference-in-differences (`did`): the treated force against comparator forces that never had that type of
intervention. Each series is divided by its own pre-period mean (so a large force does not dominate and the
effect is relative), the comparators are averaged month by month, and the treated-minus-comparator gap is
regressed on level + post with AR(1) errors (GLSAR, as for ITS): the post coefficient is the classic two-period
DiD on a balanced panel, and a time-series variance suits one treated unit better than clustering on one
cluster. The counterfactual is the comparators' mean plus the pre-period gap; the relative estimate and its
interval follow as for ITS. Its assumption is parallel trends: the comparators show what would have happened.

Conventions: months with no value (KPI undefined) are dropped; a start date inside a month makes that month a
transition month, dropped from the model; with an end date, months after it are dropped. At least
`MIN_BEFORE` months before and `MIN_AFTER` after are needed, else the estimate is None with a `note` saying why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

AR_ORDER = 1
GLSAR_ITERATIONS = 10
MIN_BEFORE = 12
MIN_AFTER = 6
SEASONAL_FROM = 24  # months before the start needed to fit month-of-year terms

Method = Literal["its", "did"]


@dataclass(frozen=True)
class ImpactEstimate:
    """One estimate of an intervention's relative effect on one KPI in one area."""

    method: Method
    estimate: float | None  # relative change, percent
    ci_lower: float | None
    ci_upper: float | None
    p_value: float | None
    months_before: int
    months_after: int
    comparator_areas: tuple[str, ...] = ()
    #: period_start, observed, fitted, counterfactual, is_post (treated area; empty when not estimated)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)
    note: str | None = None


@dataclass(frozen=True)
class _Window:
    """The months a model uses: the series without the transition month and months after the end."""

    frame: pd.DataFrame  # period_start, value, t (months from first), is_post, months_since
    months_before: int
    months_after: int


def _month_number(dates: pd.Series) -> np.ndarray:
    d = pd.to_datetime(dates)
    return (d.dt.year * 12 + d.dt.month - 1).to_numpy()


def _window(period_start: pd.Series, values: pd.Series, start_date: object, end_date: object | None) -> _Window:
    frame = pd.DataFrame({"period_start": pd.to_datetime(period_start).to_numpy(), "value": np.asarray(values, float)})
    frame = frame.dropna(subset=["value"]).sort_values("period_start").reset_index(drop=True)
    start = pd.Timestamp(start_date)
    month = _month_number(frame["period_start"])
    start_month = start.year * 12 + start.month - 1
    first_post = start_month if start.day == 1 else start_month + 1  # a month the intervention only partly covers
    keep = (month < start_month) | (month >= first_post)
    if end_date is not None and not pd.isna(end_date):
        end = pd.Timestamp(end_date)
        keep &= month <= end.year * 12 + end.month - 1
    frame = frame[keep].reset_index(drop=True)
    month = _month_number(frame["period_start"])
    frame["t"] = month - (month.min() if len(month) else 0)
    frame["is_post"] = month >= first_post
    frame["months_since"] = np.where(frame["is_post"], month - first_post, 0)
    return _Window(frame, int((~frame["is_post"]).sum()), int(frame["is_post"].sum()))


def _too_short(window: _Window) -> str | None:
    if window.months_before < MIN_BEFORE:
        return f"{window.months_before} months before the start (need {MIN_BEFORE})"
    if window.months_after < MIN_AFTER:
        return f"{window.months_after} months after the start (need {MIN_AFTER})"
    return None


@dataclass(frozen=True)
class _Contrast:
    estimate: float
    ci_lower: float
    ci_upper: float
    p_value: float


def _relative_contrast(results: object, weights: np.ndarray) -> _Contrast:
    """t-test of weights . beta (x 100): the mean relative effect with the counterfactuals held fixed."""
    test = results.t_test(weights.reshape(1, -1))  # type: ignore[attr-defined]
    lo, hi = np.asarray(test.conf_int(alpha=0.05)).ravel()
    return _Contrast(
        estimate=float(np.asarray(test.effect).ravel()[0]) * 100,
        ci_lower=float(lo) * 100,
        ci_upper=float(hi) * 100,
        p_value=float(np.asarray(test.pvalue).ravel()[0]),
    )


def _fit(y: np.ndarray, x: pd.DataFrame) -> object:
    """Regression with AR(1) errors by iterated feasible GLS (Cochrane-Orcutt; statsmodels GLSAR)."""
    return sm.GLSAR(y, x.to_numpy(float), rho=AR_ORDER).iterative_fit(maxiter=GLSAR_ITERATIONS)


def _not_estimated(method: Method, window: _Window, note: str, comparators: tuple[str, ...] = ()) -> ImpactEstimate:
    return ImpactEstimate(
        method, None, None, None, None, window.months_before, window.months_after, comparators, note=note
    )


def its(
    period_start: pd.Series,
    values: pd.Series,
    start_date: object,
    end_date: object | None = None,
    seasonal: bool | None = None,
) -> ImpactEstimate:
    """Segmented-regression estimate of the relative effect of an intervention starting at `start_date`.

    `seasonal`: fit month-of-year terms (default: when there are at least 24 months before the start).
    """
    window = _window(period_start, values, start_date, end_date)
    short = _too_short(window)
    if short:
        return _not_estimated("its", window, short)
    f = window.frame
    x = pd.DataFrame(
        {
            "level": 1.0,
            "time": f["t"].astype(float),
            "step": f["is_post"].astype(float),
            "slope_change": f["months_since"].astype(float),
        }
    )
    if seasonal if seasonal is not None else window.months_before >= SEASONAL_FROM:
        months = pd.to_datetime(f["period_start"]).dt.month
        for m in sorted(months.unique())[1:]:
            x[f"month_{m}"] = (months == m).astype(float)
    y = f["value"].to_numpy(float)
    results = _fit(y, x)
    beta = np.asarray(results.params)  # type: ignore[attr-defined]
    fitted = x.to_numpy(float) @ beta
    x_cf = x.copy()
    x_cf[["step", "slope_change"]] = 0.0
    counterfactual = x_cf.to_numpy(float) @ beta
    post = f["is_post"].to_numpy(bool)
    cf_post = counterfactual[post]
    series = pd.DataFrame(
        {
            "period_start": f["period_start"].to_numpy(),
            "observed": y,
            "fitted": fitted,
            "counterfactual": counterfactual,
            "is_post": post,
        }
    )
    if np.any(cf_post <= 0):
        est = _not_estimated("its", window, "the counterfactual is not positive after the start")
        return ImpactEstimate(**{**est.__dict__, "series": series})
    weights = np.zeros(x.shape[1])
    weights[x.columns.get_loc("step")] = np.mean(1 / cf_post)
    weights[x.columns.get_loc("slope_change")] = np.mean(f["months_since"].to_numpy(float)[post] / cf_post)
    c = _relative_contrast(results, weights)
    return ImpactEstimate(
        "its", c.estimate, c.ci_lower, c.ci_upper, c.p_value, window.months_before, window.months_after, (), series
    )


def did(
    treated: pd.DataFrame,
    comparators: Mapping[str, pd.DataFrame],
    start_date: object,
    end_date: object | None = None,
) -> ImpactEstimate:
    """Difference-in-differences of the treated series (period_start, value) against comparator series.

    `comparators` maps area code -> frame (period_start, value). Comparators whose pre-period mean is not
    positive, or that have fewer than MIN_BEFORE months before, are left out.
    """
    window = _window(treated["period_start"], treated["value"], start_date, end_date)
    short = _too_short(window)
    if short:
        return _not_estimated("did", window, short)
    f = window.frame
    pre_mean = f.loc[~f["is_post"], "value"].mean()
    if not pre_mean > 0:
        return _not_estimated("did", window, "the treated series' pre-period mean is not positive")

    used: list[str] = []
    indexed: list[pd.Series] = []
    for code in sorted(comparators):
        cw = _window(comparators[code]["period_start"], comparators[code]["value"], start_date, end_date)
        c_pre = cw.frame.loc[~cw.frame["is_post"], "value"]
        if len(c_pre) < MIN_BEFORE or not c_pre.mean() > 0:
            continue
        used.append(code)
        indexed.append(pd.Series(cw.frame["value"].to_numpy() / c_pre.mean(), index=cw.frame["period_start"]))
    if not used:
        return _not_estimated("did", window, "no comparator force has enough data")
    comparison = pd.concat(indexed, axis=1).mean(axis=1)  # mean of the available comparators each month
    control = comparison.reindex(pd.DatetimeIndex(f["period_start"])).to_numpy(float)
    treated_index = f["value"].to_numpy(float) / pre_mean
    ok = ~np.isnan(control)
    post = f["is_post"].to_numpy(bool)
    if (~post & ok).sum() < MIN_BEFORE or (post & ok).sum() < MIN_AFTER:
        return _not_estimated("did", window, "comparators do not cover the treated force's months", tuple(used))
    gap = treated_index[ok] - control[ok]
    x = pd.DataFrame({"level": 1.0, "post": post[ok].astype(float)})
    results = _fit(gap, x)
    level, effect = np.asarray(results.params)  # type: ignore[attr-defined]
    counterfactual = (control + level) * pre_mean
    fitted = counterfactual + np.where(post, effect, 0.0) * pre_mean
    series = pd.DataFrame(
        {
            "period_start": f["period_start"].to_numpy()[ok],
            "observed": f["value"].to_numpy(float)[ok],
            "fitted": fitted[ok],
            "counterfactual": counterfactual[ok],
            "is_post": post[ok],
        }
    )
    cf_post = (control + level)[ok & post]
    if np.any(cf_post <= 0):
        est = _not_estimated("did", window, "the counterfactual is not positive after the start", tuple(used))
        return ImpactEstimate(**{**est.__dict__, "series": series})
    c = _relative_contrast(results, np.array([0.0, np.mean(1 / cf_post)]))
    return ImpactEstimate(
        "did",
        c.estimate,
        c.ci_lower,
        c.ci_upper,
        c.p_value,
        int((~post & ok).sum()),
        int((post & ok).sum()),
        tuple(used),
        series,
    )
