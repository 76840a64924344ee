"""Custody episodes: one for each police-station detention (same person, linked by detention_id), plus
episodes of people arrested for an offence and then detained in custody (no detention_id).

Before the PCA 2017 changes custody was often used for want of a health-based place; afterwards only for
imminent risk, authorised by an inspector, with a healthcare professional present and welfare checks.
Times are written in UK ``dd/mm/yyyy HH:MM`` (the s136 file uses ISO), so both parsers get exercised.
"""

from __future__ import annotations

import numpy as np

from concordat import contracts
from concordat.demo import calibration as cal
from concordat.demo.state import Detentions, ForceState
from concordat.demo.values import bools, categories, ints, minutes, random_times, rows, uk

COLUMNS = tuple(c.name for c in contracts.CUSTODY.columns)
RANKS = categories("authorised_by_rank", contracts.CUSTODY)
REASONS = categories("reason", contracts.CUSTODY)  # imminent risk, arrested, no HBPoS, other
OUTCOMES = categories("outcome")
ARRESTED = 1  # index of `Arrested for substantive offence` in both the custody and s136 reason lists
ARRESTED_EPISODES_PER_POLICE_STATION = 0.25
TRANSFERRED_TO_HBPOS = 0.3


def episodes(
    rng: np.random.Generator, state: ForceState, year: int, months: np.ndarray, d: Detentions
) -> list[list[str]]:
    """The force-year's custody rows, sorted by arrival."""
    idx = np.flatnonzero(d.at_police_station)
    n_extra = int(rng.poisson(ARRESTED_EPISODES_PER_POLICE_STATION * len(idx) + 0.5))
    extra_times = random_times(rng, months, rng.multinomial(n_extra, np.ones(len(months)) / len(months)))
    extra_who = state.persons.draw(rng, extra_times, new_share=0.5)
    m = len(idx) + n_extra
    if m == 0:
        return []
    arrive = np.concatenate([d.arrived[idx], extra_times + minutes(rng.uniform(30, 240, n_extra))])
    stay_to_release = np.concatenate(
        [(d.released[idx] - d.arrived[idx]).astype(np.int64), rng.lognormal(np.log(8 * 60), 0.5, n_extra)]
    )
    transferred = rng.random(m) < TRANSFERRED_TO_HBPOS
    stay = np.where(transferred, np.minimum(stay_to_release, rng.uniform(60, 360, m)), stay_to_release)
    depart = arrive + minutes(stay)
    persons = np.concatenate([d.who[idx], extra_who])
    ages = np.concatenate([d.age[idx], state.persons.ages(extra_who, extra_times)])
    after_pca = arrive >= cal.PCA_2017
    arrested = np.concatenate([d.police_station_reason[idx] == ARRESTED, np.ones(n_extra, dtype=bool)])
    reason = np.where(
        arrested,
        ARRESTED,
        np.where(after_pca, rng.choice([0, 3], m, p=[0.85, 0.15]), rng.choice([2, 0, 3], m, p=[0.6, 0.25, 0.15])),
    )
    rank = np.where(after_pca, rng.choice(4, m, p=[0.85, 0.05, 0.05, 0.05]), rng.choice(4, m, p=[0.3, 0.05, 0.05, 0.6]))
    hcp = rng.random(m) < np.where(after_pca, 0.95, 0.6)
    checks = np.maximum(stay.astype(np.int64) // 30 - rng.integers(0, 2, m), 0)
    outcomes = np.concatenate([d.outcome[idx], rng.choice(len(OUTCOMES), n_extra, p=cal.OUTCOMES)])
    order = np.argsort(arrive, kind="stable")
    columns = {
        "custody_record_id": [""] * m,
        "force": [state.plan.force.code] * m,
        "arrived_at": uk(arrive),
        "detention_id": [d.ids[i] for i in idx.tolist()] + [""] * n_extra,
        "person_id": state.persons.ids(persons),
        "departed_at": uk(depart),
        "age": ages.astype(str).tolist(),
        "authorised_by_rank": RANKS[rank].tolist(),
        "reason": REASONS[reason].tolist(),
        "healthcare_professional_present": bools(hcp, rng.random(m) < 0.05),
        "welfare_checks_recorded": ints(checks, rng.random(m) < 0.05),
        "transferred_to_hbpos": bools(transferred, np.zeros(m, dtype=bool)),
        "outcome": OUTCOMES[outcomes].tolist(),
    }
    unsorted = rows(columns, COLUMNS)
    out = [unsorted[i] for i in order]
    for i, row in enumerate(out, start=1):
        row[0] = f"{state.plan.abbr}-C{year}-{i:05d}"
    return out
