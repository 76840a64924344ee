"""Random draws whose running totals stay on target.

Published national counts are small for some categories (136 police-station detentions in 2018/19, 77
`Crew refused` in 2016/17): independent draws would miss them by more than 10% now and then. Systematic
sampling keeps every row's probability exactly as given but carries a phase between chunks, so the total
of any run of rows is within one of its expected value. Rows are shuffled before each draw, so nothing
depends on their order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class SystematicChoice:
    """One category per row, with per-row probabilities, drawn by systematic sampling per category.

    ``order`` lists the categories drawn first to last: put the small, calibration-critical ones first (the
    first is exact to within one over the whole stream; later ones are conditioned on what is left).
    """

    def __init__(self, rng: np.random.Generator, n_categories: int, order: Sequence[int] | None = None) -> None:
        self.order = list(order) if order is not None else list(range(n_categories))
        if sorted(self.order) != list(range(n_categories)):
            raise ValueError("order must list every category once")
        self.phase = rng.random(n_categories)

    def draw(self, rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
        """Category index per row; ``probs`` is (rows, categories) or one row broadcast to ``len`` rows."""
        n = probs.shape[0]
        out = np.empty(n, dtype=np.int64)
        if n == 0:
            return out
        perm = rng.permutation(n)
        p = probs[perm]
        remaining = np.ones(n)
        unassigned = np.ones(n, dtype=bool)
        drawn = np.empty(n, dtype=np.int64)
        for k in self.order[:-1]:
            cond = np.where(unassigned, np.clip(p[:, k] / np.maximum(remaining, 1e-12), 0.0, 1.0), 0.0)
            selected = self._systematic(k, cond)
            drawn[selected] = k
            unassigned &= ~selected
            remaining = remaining - p[:, k]
        drawn[unassigned] = self.order[-1]
        out[perm] = drawn
        return out

    def _systematic(self, k: int, p: np.ndarray) -> np.ndarray:
        cum = self.phase[k] + np.cumsum(p)
        steps = np.floor(cum)
        previous = np.concatenate(([0.0], steps[:-1]))
        self.phase[k] = cum[-1] - steps[-1]
        return steps > previous


def constant(probs: np.ndarray, n: int) -> np.ndarray:
    """The same probability vector for ``n`` rows."""
    return np.broadcast_to(probs, (n, len(probs)))


class Quota:
    """How many of a chunk's rows get a treatment (e.g. are made bad), keeping the running total on share."""

    def __init__(self, share: float, carry: float = 0.999) -> None:
        # The carry starts just under one, so the first chunk with rows gets one (every source has bad rows).
        self.share = share
        self.carry = carry if share > 0 else 0.0

    def take(self, n: int) -> int:
        if self.share <= 0 or n <= 0:
            return 0
        expected = self.carry + self.share * n
        count = min(int(np.floor(expected)), n)
        self.carry = expected - count
        return count
