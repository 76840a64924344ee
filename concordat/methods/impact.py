"""Did an intervention change a KPI? Interrupted time series and difference-in-differences on monthly series.

One effect definition everywhere (docs/ARCHITECTURE.md): the **mean over the post-intervention months of
(expected value with the intervention - counterfactual) / counterfactual x 100**, a relative change in percent.
For a step that is the step's share; for an effect that ramps up it is the after-period average. The demo
generator writes the true value of it, so the estimates below can be checked against planted effects.

Interrupted time series (`its`): segmented regression of the force's monthly value on
    level + time + step (1 from the first full month on or after the start) + time since the start
    + a control series when comparator forces are given (their mean, each divided by its own pre-period mean),
    else month-of-year terms when there are at least 24 months before (s136 demand is seasonal),
fitted with AR(1) errors by iterated feasible GLS (statsmodels `GLSAR`, Cochrane-Orcutt), so the standard
errors account for the autocorrelation of monthly series. (We measured Newey-West/HAC with 3 lags as well: on
120-month series it rejected a true null 9-12% of the time at 5%; GLSAR 6-7%. See tests/test_methods_impact.py.)
The control series is what makes single-force ITS usable on national data: national demand rose to 2021 and
fell after it, and a force's own linear trend reads that fall as the intervention's effect (on the `national`
demo, ITS without it missed 4 of 15 planted effects and found a "change" in 18% of untreated forces; with it,
14-15 of 15 and 4-5%, as the generator evolved). The fitted effect in month t is step + slope_change x
months_since_start; the estimate is mean_t(effect_t / counterfactual_t), a linear combination of the two
coefficients once the counterfactual denominators are treated as fixed, so its 95% interval and p-value are the
t-test of that contrast (`results.t_test`). Treating the denominators as fixed ignores their own uncertainty,
which is small next to the effect's when there are a few years before the start. The step coefficient itself -
the level change at the start, in the KPI's unit - is reported beside it with its 95% interval (`step`).

Difference-in-differences (`did`): the treated force against comparator forces that never had that type of
intervention. Each series is divided by its own pre-period mean (so a large force does not dominate and the
effect is relative) and the comparators are averaged month by month into a control index C_t. The treated
force's index divided by C_t - its level relative to the comparators - is regressed on level + post with AR(1)
errors (GLSAR, as for ITS): a ratio form of the classic two-period DiD, so a relative (multiplicative) effect is
the same share in every post month whatever the season or trend, and a time-series variance suits one treated
unit better than clustering on one cluster. The counterfactual is C_t x the pre-period level; the relative
estimate is post / level (averaged over post months with any national-change terms) and its interval follows
as for ITS. Its assumption is parallel trends: the comparators show what would have happened. Unlike ITS it fits
no own trend, so the two answer slightly different questions and are reported side by side.

National changes (`NATIONAL_CHANGES`: the Policing and Crime Act 2017 changes of 11 Dec 2017, with the KPIs they
moved): both models of such a KPI fit a level change there when the window spans it - otherwise a national
doubling of health-professional consultation three months before a placement scheme starts would be credited to
the scheme. With comparators the term is fitted only when the change falls inside the pre-period (the
comparators carry it after that).

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
from numpy.typing import ArrayLike

AR_ORDER = 1
GLSAR_ITERATIONS = 10
MIN_BEFORE = 12
MIN_AFTER = 6
SEASONAL_FROM = 24  # months before the start needed to fit month-of-year terms


@dataclass(frozen=True)
class NationalChange:
    """A change that moved some KPIs in every force at once (a law, a new national data definition)."""

    name: str
    date: str
    kpis: frozenset[str]


#: A model of one of these KPIs whose window spans the date fits a level change there, so the change is not
#: mistaken for (or hidden in) an intervention's effect.
NATIONAL_CHANGES: tuple[NationalChange, ...] = (
    # Policing and Crime Act 2017 (in force 11 Dec 2017): no police stations for under-18s and only exceptionally
    # for adults, a 24-hour limit on detention, and consulting a health professional before detaining.
    NationalChange(
        "pca_2017",
        "2017-12-11",
        frozenset(
            {
                "pos_police_station_pct",
                "pos_hbpos_pct",
                "pos_emergency_dept_pct",
                "u18_police_station",
                "custody_pos_episodes",
                "custody_median_hours",
                "custody_inspector_authorised_pct",
                "custody_hcp_present_pct",
                "consulted_hp_pct",
                "detention_over_24h_pct",
                "detention_median_hours",
            }
        ),
    ),
)


def national_changes_for(kpi_id: str) -> tuple[NationalChange, ...]:
    """The national changes that moved this KPI."""
    return tuple(c for c in NATIONAL_CHANGES if kpi_id in c.kpis)


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
    #: ITS only: the step change at the start (the `step` coefficient) in the KPI's unit, with its 95% interval
    step: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class _Window:
    """The months a model uses (in order): the series without missing values, the transition month and any
    months after the end date. Plain arrays: one is built per area per estimate, so it must be cheap."""

    period_start: np.ndarray  # datetime64[D]
    value: np.ndarray
    month: np.ndarray  # months since 1970-01, for alignment
    is_post: np.ndarray
    months_since: np.ndarray  # months since the first post month (0 before it)

    @property
    def months_before(self) -> int:
        return int((~self.is_post).sum())

    @property
    def months_after(self) -> int:
        return int(self.is_post.sum())

    @property
    def t(self) -> np.ndarray:
        return (self.month - self.month.min()).astype(float) if self.month.size else self.month.astype(float)


def _month_of(date: object) -> int:
    ts = pd.Timestamp(date)
    return (ts.year - 1970) * 12 + ts.month - 1


def _window(period_start: ArrayLike, values: ArrayLike, start_date: object, end_date: object | None) -> _Window:
    days = np.asarray(period_start)
    if not np.issubdtype(days.dtype, np.datetime64):
        days = np.asarray(pd.to_datetime(days))
    days = days.astype("datetime64[D]")
    value = np.asarray(values, dtype=float)
    order = np.argsort(days, kind="stable")
    days, value = days[order], value[order]
    month = days.astype("datetime64[M]").astype(np.int64)
    start_month = _month_of(start_date)
    first_post = start_month if pd.Timestamp(start_date).day == 1 else start_month + 1  # partly covered month
    keep = ~np.isnan(value) & ((month < start_month) | (month >= first_post))
    if end_date is not None and not pd.isna(end_date):
        keep &= month <= _month_of(end_date)
    days, value, month = days[keep], value[keep], month[keep]
    is_post = month >= first_post
    return _Window(days, value, month, is_post, np.where(is_post, month - first_post, 0))


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


def _t_test(results: object, weights: np.ndarray) -> tuple[float, float, float, float]:
    """(weights . beta, 95% lower, upper, p-value), from the fit's own (AR(1)) covariance."""
    test = results.t_test(weights.reshape(1, -1))  # type: ignore[attr-defined]
    lo, hi = np.asarray(test.conf_int(alpha=0.05)).ravel()
    return float(np.asarray(test.effect).ravel()[0]), float(lo), float(hi), float(np.asarray(test.pvalue).ravel()[0])


def _relative_contrast(results: object, weights: np.ndarray) -> _Contrast:
    """t-test of weights . beta (x 100): the mean relative effect with the counterfactuals held fixed."""
    effect, lo, hi, p_value = _t_test(results, weights)
    return _Contrast(estimate=effect * 100, ci_lower=lo * 100, ci_upper=hi * 100, p_value=p_value)


def _fit(y: np.ndarray, x: pd.DataFrame) -> object:
    """Regression with AR(1) errors by iterated feasible GLS (Cochrane-Orcutt; statsmodels GLSAR).

    GLSAR's convergence test divides by the previous coefficients, which are 0 for a flat series: numpy's
    divide-by-zero warning there is noise (the caller turns a degenerate fit into a note), so it is silenced."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return sm.GLSAR(y, x.to_numpy(float), rho=AR_ORDER).iterative_fit(maxiter=GLSAR_ITERATIONS)


def _not_estimated(
    method: Method,
    window: _Window,
    note: str,
    comparators: tuple[str, ...] = (),
    series: pd.DataFrame | None = None,
    months: tuple[int, int] | None = None,
) -> ImpactEstimate:
    before, after = months or (window.months_before, window.months_after)
    return ImpactEstimate(
        method,
        None,
        None,
        None,
        None,
        before,
        after,
        comparators,
        series if series is not None else pd.DataFrame(),
        note,
    )


def _national_terms(
    window: _Window, changes: tuple[NationalChange, ...], pre_only: bool = False
) -> dict[str, np.ndarray]:
    """A level-change regressor per national change inside the window: the share of each month on or after it.

    Left out when it is constant over the window or indistinguishable from the intervention's own step, and with
    `pre_only` (models with comparators, which carry national changes themselves) unless the change falls inside
    the pre-period: after the start its force-specific part cannot be told from a growing intervention effect.
    """
    terms: dict[str, np.ndarray] = {}
    for national in changes:
        change = pd.Timestamp(national.date)
        month = _month_of(change)
        partial = (change.days_in_month - change.day + 1) / change.days_in_month
        exposure = np.where(window.month > month, 1.0, np.where(window.month == month, partial, 0.0))
        if exposure.min() == exposure.max() or np.array_equal(exposure > 0, window.is_post):
            continue
        pre = exposure[~window.is_post]
        if pre_only and (pre.size == 0 or pre.min() == pre.max()):
            continue
        terms[f"change_{national.name}"] = exposure
    return terms


def _estimate(
    method: Method,
    window: _Window,
    x: pd.DataFrame,
    effect_columns: tuple[str, ...],
    *,
    observed: np.ndarray,
    post: np.ndarray,
    offset: np.ndarray | float = 0.0,
    scale: np.ndarray | float = 1.0,
    comparators: tuple[str, ...] = (),
    step_column: str | None = None,
) -> ImpactEstimate:
    """Fit observed / scale = offset + X beta (AR(1) errors); turn the intervention terms into the relative effect
    (and, given `step_column`, report that coefficient: the step change, in the unit of observed / scale).

    The counterfactual is offset + X beta with the `effect_columns` set to 0. Series values are in the original
    units (x `scale`, which may vary by month); the relative effect is unit-free.
    """
    months = (int((~post).sum()), int(post.sum()))
    y = observed / scale - offset
    try:
        results = _fit(y, x)
    except (np.linalg.LinAlgError, ValueError) as exc:  # degenerate data must not stop a build
        return _not_estimated(method, window, f"the model could not be fitted ({exc})", comparators, None, months)
    beta = np.asarray(results.params)  # type: ignore[attr-defined]
    if not np.all(np.isfinite(beta)):
        return _not_estimated(method, window, "the model could not be fitted (degenerate series)", comparators)
    design = x.to_numpy(float)
    fitted = offset + design @ beta
    x_cf = x.copy()
    x_cf[list(effect_columns)] = 0.0
    counterfactual = offset + x_cf.to_numpy(float) @ beta
    series = _series(window.period_start, observed, fitted * scale, counterfactual * scale, post)
    cf_post = counterfactual[post]
    if np.any(cf_post <= 0):
        note = "the counterfactual is not positive after the start"
        return _not_estimated(method, window, note, comparators, series, months)
    # mean over post months of effect_t / cf_t = sum_j beta_j x mean(x_tj / cf_t): a contrast of beta
    weights = np.zeros(design.shape[1])
    for column in effect_columns:
        j = x.columns.get_loc(column)
        weights[j] = np.mean(design[post, j] / cf_post)
    c = _relative_contrast(results, weights)
    if not np.isfinite([c.estimate, c.ci_lower, c.ci_upper]).all():
        note = "the model gave no finite interval (degenerate series)"
        return _not_estimated(method, window, note, comparators, series, months)
    step = _step(results, x, step_column) if step_column else None
    return ImpactEstimate(
        method, c.estimate, c.ci_lower, c.ci_upper, c.p_value, *months, comparators, series, step=step
    )


def _step(results: object, x: pd.DataFrame, column: str) -> tuple[float, float, float] | None:
    """The coefficient of `column` (the level change at the start, in the series' unit) and its 95% interval."""
    weights = np.zeros(x.shape[1])
    weights[x.columns.get_loc(column)] = 1.0
    step = _t_test(results, weights)[:3]
    return step if np.isfinite(step).all() else None


def its(
    period_start: ArrayLike,
    values: ArrayLike,
    start_date: object,
    end_date: object | None = None,
    seasonal: bool | None = None,
    comparators: Mapping[str, pd.DataFrame] | None = None,
    national_changes: tuple[NationalChange, ...] = NATIONAL_CHANGES,
) -> ImpactEstimate:
    """Segmented-regression estimate of the relative effect of an intervention starting at `start_date`.

    `comparators` (area code -> frame of period_start, value): forces without the intervention whose mean index
    enters as a control series, so national movements are not read as the intervention's effect.
    `seasonal`: fit month-of-year terms (default: without a control series, when there are 24+ months before).
    `national_changes`: the changes that may have moved this KPI (`national_changes_for(kpi_id)`; default all).
    """
    window = _window(period_start, values, start_date, end_date)
    short = _too_short(window)
    if short:
        return _not_estimated("its", window, short)
    control, used = _comparison(window, comparators or {}, start_date, end_date)
    if used:
        ok = ~np.isnan(control)
        if (~window.is_post & ok).sum() < MIN_BEFORE or (window.is_post & ok).sum() < MIN_AFTER:
            note = "comparators do not cover the force's months"
            return _not_estimated("its", window, note, used)
        window, control = _restrict(window, ok), control[ok]
    x = pd.DataFrame(
        {
            "level": 1.0,
            "time": window.t,
            **({"control": control} if used else {}),
            "step": window.is_post.astype(float),
            "slope_change": window.months_since.astype(float),
            **_national_terms(window, national_changes, pre_only=bool(used)),
        }
    )
    if seasonal if seasonal is not None else (not used and window.months_before >= SEASONAL_FROM):
        month_of_year = window.month % 12
        for m in np.unique(month_of_year)[1:]:
            x[f"month_{m + 1}"] = (month_of_year == m).astype(float)
    return _estimate(
        "its",
        window,
        x,
        ("step", "slope_change"),
        observed=window.value,
        post=window.is_post,
        comparators=used,
        step_column="step",
    )


def _comparison(
    window: _Window, comparators: Mapping[str, pd.DataFrame], start_date: object, end_date: object | None
) -> tuple[np.ndarray, tuple[str, ...]]:
    """The comparators' mean index on the window's months (NaN where none has a value), and the codes used.

    Each comparator is divided by its own pre-period mean so a large force does not dominate; comparators with
    fewer than MIN_BEFORE months before the start or a pre-period mean that is not positive are left out.
    """
    if window.month.size == 0:
        return np.zeros(0), ()
    first = window.month.min()
    span = int(window.month.max() - first + 1)
    total, count = np.zeros(span), np.zeros(span)
    used: list[str] = []
    for code in sorted(comparators):
        cw = _window(comparators[code]["period_start"], comparators[code]["value"], start_date, end_date)
        c_pre = cw.value[~cw.is_post]
        if c_pre.size < MIN_BEFORE or not c_pre.mean() > 0:
            continue
        used.append(code)
        inside = (cw.month >= first) & (cw.month < first + span)
        np.add.at(total, cw.month[inside] - first, cw.value[inside] / c_pre.mean())
        np.add.at(count, cw.month[inside] - first, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total / count)[window.month - first], tuple(used)


def _restrict(window: _Window, keep: np.ndarray) -> _Window:
    return _Window(*(getattr(window, f)[keep] for f in ("period_start", "value", "month", "is_post", "months_since")))


def _series(
    period_start: np.ndarray, observed: np.ndarray, fitted: np.ndarray, counterfactual: np.ndarray, post: np.ndarray
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_start": pd.to_datetime(period_start),
            "observed": observed,
            "fitted": fitted,
            "counterfactual": counterfactual,
            "is_post": post,
        }
    )


def did(
    treated: pd.DataFrame,
    comparators: Mapping[str, pd.DataFrame],
    start_date: object,
    end_date: object | None = None,
    national_changes: tuple[NationalChange, ...] = NATIONAL_CHANGES,
) -> ImpactEstimate:
    """Difference-in-differences of the treated series (period_start, value) against comparator series.

    `comparators` maps area code -> frame (period_start, value). Comparators whose pre-period mean is not
    positive, or that have fewer than MIN_BEFORE months before, are left out. `national_changes` as for `its`.
    """
    window = _window(treated["period_start"], treated["value"], start_date, end_date)
    short = _too_short(window)
    if short:
        return _not_estimated("did", window, short)
    pre_mean = window.value[~window.is_post].mean()
    if not pre_mean > 0:
        return _not_estimated("did", window, "the treated series' pre-period mean is not positive")

    control, used = _comparison(window, comparators, start_date, end_date)
    if not used:
        return _not_estimated("did", window, "no comparator force has enough data")
    with np.errstate(invalid="ignore"):
        ok = control > 0  # the ratio to the comparators needs them above zero (NaN: no comparator that month)
    if (~window.is_post & ok).sum() < MIN_BEFORE or (window.is_post & ok).sum() < MIN_AFTER:
        return _not_estimated("did", window, "comparators do not cover the treated force's months", used)
    window = _restrict(window, ok)
    national = _national_terms(window, national_changes, pre_only=True)
    x = pd.DataFrame({"level": 1.0, **national, "post": window.is_post.astype(float)})
    return _estimate(
        "did",
        window,
        x,
        ("post",),
        observed=window.value,
        post=window.is_post,
        scale=pre_mean * control[ok],
        comparators=used,
    )
