"""True effects of the planted interventions, by the shared definition (docs/ARCHITECTURE.md):
the mean over post-start months of (expected with the intervention - counterfactual) / counterfactual x 100.

Street triage is a step in expected s136 detentions, so its true effect is the step itself. A placement
scheme acts on officers; its force-level effect on ``consulted_hp_pct`` (Yes / (Yes + No + Not practicable))
follows from the expected share of detentions made by placed officers in each month.
"""

from __future__ import annotations

import numpy as np

from concordat.demo import calibration as cal
from concordat.demo.people import OfficerPool
from concordat.demo.plan import ForcePlan


def _consult_kpi(p: np.ndarray) -> np.ndarray:
    """Expected consulted_hp_pct from (Yes, No, Not practicable, Not known) probabilities (last axis)."""
    return p[..., 0] / p[..., :3].sum(axis=-1)


def placement_effect_pct(fp: ForcePlan, officers: OfficerPool, months: np.ndarray) -> float:
    assert fp.placements is not None
    post = months[months >= fp.placements.start.astype("datetime64[M]")]
    if len(post) == 0:
        return 0.0
    mid = post.astype("datetime64[D]").astype("datetime64[m]") + 15 * 24 * 60
    after = mid >= cal.PCA_2017
    usual = cal.consult_probabilities(fp.consult_yes, after, np.zeros(len(mid), dtype=bool))
    placed = cal.consult_probabilities(fp.consult_yes, after, np.ones(len(mid), dtype=bool))
    share = officers.placed_share(mid)[:, None]
    with_scheme = share * placed + (1.0 - share) * usual
    counterfactual = _consult_kpi(usual)
    return float(np.mean((_consult_kpi(with_scheme) - counterfactual) / counterfactual) * 100.0)


def triage_effect_pct(fp: ForcePlan) -> float:
    assert fp.triage is not None
    return -fp.triage.effect * 100.0
