"""Person and officer pools per force: who is detained (again and again), and by whom.

People: most are detained once, a few many times. Each new person gets a heavy-tailed (Pareto) propensity;
a share of each chunk's detentions goes to people already seen, chosen by propensity and recency, so a few
people have 5-20+ detentions and some three or more within a year. Sex, ethnicity and date of birth belong to
the person, so repeat records agree.

Officers: one pool of collar numbers per force (`SY4711`), used by detentions, triage contacts and
placements alike. Officers who completed a placement join the pool of detaining officers from the end of
their ward week, and (as new frontline officers) are ``PLACED_WEIGHT`` times as likely to detain as others.
"""

from __future__ import annotations

import numpy as np

from concordat.demo import calibration as cal

MINUTES_PER_YEAR = 525_960.0
NEW_PERSON_SHARE = 0.66
PARETO_SHAPE = 2.0
PROPENSITY_CAP = 30.0  # without a cap a handful of people would take hundreds of detentions
RECENCY_YEARS = 1.0
PLACED_WEIGHT = 2.0
OFFICERS_PER_ANNUAL_DETENTION = 0.5
WARM_UP_YEARS = 2


def years_of(times: np.ndarray) -> np.ndarray:
    """datetime64[m] -> years since 1970 as floats (for ages and recency)."""
    return times.astype("datetime64[m]").astype(np.int64) / MINUTES_PER_YEAR + 1970.0


class PersonPool:
    """The people of one force who have been detained (or contacted by triage) so far."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.propensity = np.zeros(0)
        self.birth = np.zeros(0)  # in years (float)
        self.sex = np.zeros(0, dtype=np.int64)
        self.ethnicity = np.zeros(0, dtype=np.int64)
        self.last_seen = np.zeros(0)

    def __len__(self) -> int:
        return len(self.propensity)

    def ids(self, index: np.ndarray) -> list[str]:
        return [f"{self.prefix}{i + 1:07d}" for i in index.tolist()]

    def draw(self, rng: np.random.Generator, times: np.ndarray, new_share: float = NEW_PERSON_SHARE) -> np.ndarray:
        """Pool index of the person in each row (rows at ``times``); new people are added to the pool."""
        n = len(times)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        t = years_of(times)
        n_new = n if len(self) == 0 else int(rng.binomial(n, new_share))
        first = len(self)
        self._add(rng, n_new, t[rng.permutation(n)[:n_new]])
        who = np.empty(n, dtype=np.int64)
        new_rows = rng.permutation(n)
        who[new_rows[:n_new]] = np.arange(first, first + n_new)
        repeat_rows = new_rows[n_new:]
        if len(repeat_rows):
            weight = self.propensity * np.exp(-np.maximum(t.mean() - self.last_seen, 0.0) / RECENCY_YEARS)
            who[repeat_rows] = rng.choice(len(self), size=len(repeat_rows), p=weight / weight.sum())
        np.maximum.at(self.last_seen, who, t)
        return who

    def warm_up(
        self, rng: np.random.Generator, before: np.datetime64, annual: float, years: int = WARM_UP_YEARS
    ) -> None:
        """Detentions of the years before the range, drawn but not written: people detained before the first
        year return in it, as they do in a real extract (otherwise the first year would have no repeats)."""
        for back in range(years, 0, -1):
            start = before.astype("datetime64[m]") - int(back * MINUTES_PER_YEAR)
            n = int(rng.poisson(annual))
            offsets = np.sort(rng.integers(0, int(MINUTES_PER_YEAR), n))
            self.draw(rng, start + offsets.astype("timedelta64[m]"))

    def _add(self, rng: np.random.Generator, n: int, first_seen: np.ndarray) -> None:
        under_18 = rng.random(n) < cal.UNDER_18_NEW_PERSON
        age = np.where(under_18, rng.uniform(11.0, 18.0, n), 18.0 + np.minimum(rng.gamma(2.0, 11.0, n), 72.0))
        self.propensity = np.concatenate(
            [self.propensity, np.minimum(rng.pareto(PARETO_SHAPE, n) + 0.2, PROPENSITY_CAP)]
        )
        self.birth = np.concatenate([self.birth, first_seen - age])
        self.sex = np.concatenate([self.sex, rng.choice(len(cal.SEX), n, p=cal.SEX)])
        self.ethnicity = np.concatenate([self.ethnicity, rng.choice(len(cal.ETHNICITY), n, p=cal.ETHNICITY)])
        self.last_seen = np.concatenate([self.last_seen, first_seen])

    def ages(self, who: np.ndarray, times: np.ndarray) -> np.ndarray:
        return np.floor(years_of(times) - self.birth[who]).astype(np.int64)


class OfficerPool:
    """Collar numbers of one force: regular detaining officers plus officers placed by the scheme."""

    def __init__(self, rng: np.random.Generator, abbr: str, annual_detentions: float, n_placed: int) -> None:
        n_regular = max(20, round(annual_detentions * OFFICERS_PER_ANNUAL_DETENTION))
        total = n_regular + n_placed
        width = max(4, len(str(total * 3 + 1000)))
        numbers = rng.choice(np.arange(10 ** (width - 1), 10**width), size=total, replace=False)
        ids = [f"{abbr}{n}" for n in numbers.tolist()]
        self.regular = np.array(ids[:n_regular], dtype=object)
        self.reserved = ids[n_regular:]  # handed to the placement schedule, in order
        self.placed = np.zeros(0, dtype=object)
        self.placed_from = np.zeros(0, dtype="datetime64[m]")

    def set_placed(self, officer_ids: list[str], completed_at: np.ndarray) -> None:
        """Officers who completed a placement, and when (they count as placed from then on)."""
        order = np.argsort(completed_at, kind="stable")
        self.placed = np.array(officer_ids, dtype=object)[order]
        self.placed_from = completed_at.astype("datetime64[m]")[order]

    def placed_count(self, times: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.placed_from, times.astype("datetime64[m]"), side="right")

    def placed_share(self, times: np.ndarray) -> np.ndarray:
        """Expected share of detentions made by placed officers at these times."""
        k = self.placed_count(times) * PLACED_WEIGHT
        return k / (len(self.regular) + k)

    def draw(self, rng: np.random.Generator, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(officer id, is a placed officer) per row."""
        n = len(times)
        k = self.placed_count(times)
        is_placed = rng.random(n) < self.placed_share(times)
        pick_placed = np.floor(rng.random(n) * np.maximum(k, 1)).astype(np.int64)
        pick_regular = rng.integers(0, len(self.regular), n)
        officer = self.regular[pick_regular]
        if is_placed.any():
            officer = officer.copy()
            officer[is_placed] = self.placed[pick_placed[is_placed]]
        return officer, is_placed
