"""Street-triage contacts in a force that runs a scheme, from its start date.

Some contacts end in an s136 detention (outcome `S136 detention`; the detention carries the contact id);
most do not: the scheme's contacts run at 2-3.5 times the force's counterfactual s136 volume, several times
the detentions it averts.
"""

from __future__ import annotations

import numpy as np

from concordat import contracts
from concordat.demo.state import Detentions, ForceState
from concordat.demo.values import bools, categories, iso, minutes, random_times, rows

COLUMNS = tuple(c.name for c in contracts.TRIAGE.columns)
MODELS = categories("model", contracts.TRIAGE)
ROLES = categories("practitioner_role", contracts.TRIAGE)
OUTCOMES = categories("outcome", contracts.TRIAGE)

LINKED_SHARE = 0.12  # of a triage force's s136 detentions after the start: preceded by a contact
OTHER_OUTCOMES = np.array([0.0, 0.08, 0.30, 0.20, 0.12, 0.03, 0.27])  # contacts without a detention
MODEL_SHARES = np.array([0.55, 0.25, 0.15, 0.03, 0.02])
ROLE_SHARES = np.array([0.75, 0.05, 0.10, 0.05, 0.05])
CONSIDERED_S136 = 0.35  # of contacts that did not end in a detention
TELEPHONE = 1


def contacts(
    rng: np.random.Generator, state: ForceState, year: int, months: np.ndarray, month_index: np.ndarray, d: Detentions
) -> tuple[list[list[str]], list[str]]:
    """(contact rows sorted by time, each detention's triage_contact_id or blank) for the force-year."""
    fp = state.plan
    assert fp.triage is not None
    start = fp.triage.start.astype("datetime64[m]")
    live = (d.times >= start) & (d.section == 0)
    linked = np.flatnonzero(live & (rng.random(len(d.times)) < LINKED_SHARE))
    post = months[month_index] >= fp.triage.start.astype("datetime64[M]")
    counts = rng.poisson(fp.triage_contact_rate * fp.counterfactual[month_index] * post)
    other_times = random_times(rng, months[month_index], counts)
    other_times = other_times[other_times >= start]
    n_other = len(other_times)
    other_who = state.persons.draw(rng, other_times, new_share=0.6)
    other_officer, _ = state.officers.draw(rng, other_times)

    contact_at = np.concatenate([d.times[linked] - minutes(rng.uniform(10, 90, len(linked))), other_times])
    persons = np.concatenate([d.who[linked], other_who])
    officers = np.concatenate([d.officer[linked], other_officer])
    outcome = np.concatenate([np.zeros(len(linked), dtype=np.int64), rng.choice(7, n_other, p=OTHER_OUTCOMES)])
    considered = np.concatenate([np.ones(len(linked), dtype=bool), rng.random(n_other) < CONSIDERED_S136])
    m = len(contact_at)
    model = rng.choice(len(MODELS), m, p=MODEL_SHARES)
    response = np.where(model == TELEPHONE, rng.lognormal(np.log(6), 0.6, m), rng.lognormal(np.log(22), 0.5, m))
    order = np.argsort(contact_at, kind="stable")
    ids = np.empty(m, dtype=object)
    ids[order] = [f"{fp.abbr}-T{year}-{i:06d}" for i in range(1, m + 1)]
    columns = {
        "contact_id": ids.tolist(),
        "force": [fp.force.code] * m,
        "contact_at": iso(contact_at),
        "model": MODELS[model].tolist(),
        "person_id": state.persons.ids(persons),
        "officer_id": officers.tolist(),
        "practitioner_role": ROLES[rng.choice(len(ROLES), m, p=ROLE_SHARES)].tolist(),
        "response_minutes": np.round(response).astype(np.int64).astype(str).tolist(),
        "s136_considered": bools(considered, (rng.random(m) < 0.03) & (outcome != 0)),
        "outcome": OUTCOMES[outcome].tolist(),
    }
    unsorted = rows(columns, COLUMNS)
    link = [""] * len(d.times)
    for detention, contact in zip(linked.tolist(), ids[: len(linked)].tolist(), strict=True):
        link[detention] = contact
    return [unsorted[i] for i in order], link
