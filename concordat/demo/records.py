"""One chunk of record-level data: a force's s136 detentions, custody episodes and triage contacts for a year.

Everything is drawn vectorised with numpy for the whole force-year. Rows come out as lists of strings in the
contract's column order, ready for the CSV writer (ISO datetimes for s136 and triage; UK ``dd/mm/yyyy HH:MM``
for custody, so both date parsers are exercised).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from concordat import contracts
from concordat.demo import calibration as cal
from concordat.demo.people import OfficerPool, PersonPool
from concordat.demo.plan import ForcePlan
from concordat.demo.sampling import SystematicChoice, constant

NAT = np.datetime64("NaT", "m")
MIN_PER_HOUR = 60

S136_COLUMNS = tuple(c.name for c in contracts.S136.columns)
CUSTODY_COLUMNS = tuple(c.name for c in contracts.CUSTODY.columns)
TRIAGE_COLUMNS = tuple(c.name for c in contracts.TRIAGE.columns)

TRIAGE_LINKED_SHARE = 0.12  # of a triage force's s136 detentions after the start: preceded by a contact
TRIAGE_OUTCOMES = np.array([0.0, 0.08, 0.30, 0.20, 0.12, 0.03, 0.27])  # non-S136 contacts (contract order)
TRIAGE_MODELS = np.array([0.55, 0.25, 0.15, 0.03, 0.02])
TRIAGE_ROLES = np.array([0.75, 0.05, 0.10, 0.05, 0.05])
ARRESTED_EPISODES_PER_POLICE_STATION = 0.25
POLICE_STATION_REASONS = np.array([0.6, 0.2, 0.1, 0.1])
POLICE_STATION_REASONS_AFTER_PCA = np.array([0.55, 0.3, 0.1, 0.05])
UNDER_18_EXPECTED = 0.06


def _categories(name: str, contract: contracts.Contract = contracts.S136) -> np.ndarray:
    return np.array(contract.column(name).categories, dtype=object)


PLACES = _categories("first_place_of_safety")
TRANSPORT = _categories("transport")
PV_REASONS = _categories("police_vehicle_reason")
PS_REASONS = _categories("police_station_reason")
CONSULTED = _categories("consulted_health_professional")
OUTCOMES = _categories("outcome")
SEXES = _categories("sex")
ETHNICITIES = _categories("ethnicity")
SECTIONS = _categories("section")
AGE_BANDS = _categories("age_band")
RANKS = _categories("authorised_by_rank", contracts.CUSTODY)
CUSTODY_REASONS = _categories("reason", contracts.CUSTODY)
MODELS = _categories("model", contracts.TRIAGE)
ROLES = _categories("practitioner_role", contracts.TRIAGE)
TRIAGE_OUTCOME_VALUES = _categories("outcome", contracts.TRIAGE)
POLICE_STATION = int(np.flatnonzero(PLACES == "Police station")[0])
POLICE_VEHICLE = int(np.flatnonzero(TRANSPORT == "Police vehicle")[0])
ALREADY_THERE = int(np.flatnonzero(TRANSPORT == "None (already at place of safety)")[0])
PLACE_NOT_KNOWN = int(np.flatnonzero(PLACES == "Not known")[0])


class Samplers:
    """Systematic samplers shared by all forces, so national totals of small categories stay on target."""

    def __init__(self, rng: np.random.Generator) -> None:
        # police station first (exact), then ED, HBPoS and the rest
        self.place = SystematicChoice(rng, len(PLACES), order=[2, 1, 3, 4, 5, 0])
        self.transport = SystematicChoice(rng, len(TRANSPORT), order=[1, 0, 2, 3, 4, 5])
        self.pv_reason = SystematicChoice(rng, len(PV_REASONS), order=[3, 2, 0, 1, 4, 5])
        self.consulted = SystematicChoice(rng, len(CONSULTED))


@dataclass
class ForceState:
    """What persists for a force between its yearly chunks."""

    plan: ForcePlan
    persons: PersonPool
    officers: OfficerPool


@dataclass
class Chunk:
    s136: list[list[str]] = field(default_factory=list)
    custody: list[list[str]] = field(default_factory=list)
    triage: list[list[str]] = field(default_factory=list)
    #: NHS-style counts of the valid rows outside police stations: [section 136/135, age group, sex]
    nhs: np.ndarray = field(default_factory=lambda: np.zeros((2, 4, 3), dtype=np.int64))


def iso(times: np.ndarray) -> list[str]:
    text = np.datetime_as_string(times.astype("datetime64[m]"), unit="m")
    return np.where(np.isnat(times), "", text).tolist()


def uk(times: np.ndarray) -> list[str]:
    out = []
    for s in iso(times):
        out.append(f"{s[8:10]}/{s[5:7]}/{s[0:4]} {s[11:16]}" if s else "")
    return out


def _ints(values: np.ndarray, missing: np.ndarray) -> list[str]:
    return np.where(missing, "", values.astype(str)).tolist()


def _bools(values: np.ndarray, missing: np.ndarray) -> list[str]:
    return np.where(missing, "", np.where(values, "Y", "N")).tolist()


def _random_times(rng: np.random.Generator, months: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Times within the given months: uniform day, evening/night-weighted hour, uniform minute."""
    month = np.repeat(months, counts)
    start = month.astype("datetime64[D]")
    days = ((month + 1).astype("datetime64[D]") - start).astype(np.int64)
    day = np.floor(rng.random(len(month)) * days).astype(np.int64)
    hour = rng.choice(24, size=len(month), p=cal.HOUR_WEIGHTS / cal.HOUR_WEIGHTS.sum())
    minute = rng.integers(0, 60, len(month))
    return start.astype("datetime64[m]") + (day * 24 * 60 + hour * 60 + minute).astype("timedelta64[m]")


def _minutes(values: np.ndarray) -> np.ndarray:
    return np.round(values).astype(np.int64).astype("timedelta64[m]")


def generate(
    rng: np.random.Generator,
    samplers: Samplers,
    state: ForceState,
    year: int,
    months: np.ndarray,
    month_index: np.ndarray,
) -> Chunk:
    """The force's records for financial year ``year`` (the plan's months ``month_index``)."""
    fp = state.plan
    code, abbr = fp.force.code, fp.abbr
    mon = months[month_index]
    n136 = rng.poisson(fp.monthly[month_index])
    n135 = rng.poisson(cal.S135_RATE * fp.counterfactual[month_index])
    times = np.concatenate([_random_times(rng, mon, n136), _random_times(rng, mon, n135)])
    section = np.concatenate(
        [np.zeros(n136.sum(), dtype=np.int64), 1 + rng.choice(2, size=n135.sum(), p=cal.S135_SPLIT)]
    )
    order = np.argsort(times, kind="stable")
    times, section = times[order], section[order]
    n = len(times)
    chunk = Chunk()

    # people and officers
    who = state.persons.draw(rng, times)
    age = state.persons.ages(who, times)
    under_18 = age < 18
    recording = rng.random(n)
    age_given = recording < 0.88
    band = np.where(recording >= 0.97, 2, np.where(under_18, 0, 1))
    sex = np.where(rng.random(n) < cal.SEX_NOT_RECORDED, 3, state.persons.sex[who])
    ethnicity = np.where(rng.random(n) < cal.ETHNICITY_NOT_STATED, 5, state.persons.ethnicity[who])
    officer, placed = state.officers.draw(rng, times)
    after_pca = times >= cal.PCA_2017

    # consultation with a health professional: the PCA duty, force practice, and placed officers
    yes = fp.consult_yes
    after = np.array([yes, 1.0 - yes - sum(cal.CONSULT_AFTER_PCA_REST), *cal.CONSULT_AFTER_PCA_REST])
    consult_p = np.where(after_pca[:, None], after, cal.CONSULT_BEFORE_PCA)
    placed_p = np.where(after_pca[:, None], cal.CONSULT_PLACED, cal.CONSULT_PLACED_BEFORE_PCA)
    consult_p = np.where(placed[:, None], placed_p, consult_p)
    consulted = samplers.consulted.draw(rng, consult_p)

    # transport and first place of safety
    transport = samplers.transport.draw(rng, constant(cal.transport_shares(year), n))
    is_pv = transport == POLICE_VEHICLE
    pv_reason = np.full(n, -1)
    pv_reason[is_pv] = samplers.pv_reason.draw(rng, constant(cal.POLICE_VEHICLE_REASONS, int(is_pv.sum())))
    ps_year = cal.by_year(cal.POLICE_STATION_SHARE, year)
    ps_base = np.where(after_pca & (year <= 2017), cal.POLICE_STATION_AFTER_PCA, ps_year)
    # adults carry the under-18s' share (none after the PCA, half before), so the total stays on target
    ps_adult = ps_base / (1.0 - UNDER_18_EXPECTED * np.where(after_pca, 1.0, 0.5))
    ps = ps_adult * np.where(under_18, np.where(after_pca, 0.0, 0.5), 1.0)
    ps = ps * np.where(placed, cal.PLACED_POLICE_STATION_FACTOR, 1.0)
    shares = cal.place_shares(year, ps_year)
    others = np.delete(shares, POLICE_STATION)
    place_p = np.insert(others[None, :] * ((1.0 - ps) / others.sum())[:, None], POLICE_STATION, ps, axis=1)
    place = samplers.place.draw(rng, place_p)
    at_ps = place == POLICE_STATION
    ps_reason = np.full(n, -1)
    ps_reason_p = np.where(after_pca[at_ps, None], POLICE_STATION_REASONS_AFTER_PCA, POLICE_STATION_REASONS)
    ps_reason[at_ps] = [rng.choice(len(PS_REASONS), p=p) for p in ps_reason_p]

    # times: conveyance, assessment, release (a tail beyond 24 hours, more of it before the 24-hour limit)
    travel = np.where(transport == ALREADY_THERE, rng.integers(0, 6, n), rng.lognormal(np.log(35), 0.5, n))
    arrived = times + _minutes(travel)
    u = rng.random(n)
    long_wait = np.where(after_pca, 0.02, 0.045)
    hours = np.where(
        u < 0.0003,
        rng.uniform(36.1, 48.0, n),
        np.where(
            u < 0.0003 + long_wait,
            rng.uniform(20.0, 33.0, n),
            np.minimum(rng.lognormal(np.log(6.0), 0.6, n), 30.0),
        ),
    )
    released = arrived + _minutes(hours * MIN_PER_HOUR)
    assessed = arrived + _minutes(hours * MIN_PER_HOUR * rng.uniform(0.5, 0.95, n))
    arrived_out = np.where((place == PLACE_NOT_KNOWN) & (rng.random(n) < 0.5), NAT, arrived)
    assessed_out = np.where(rng.random(n) < 0.04, NAT, assessed)
    released_out = np.where(rng.random(n) < 0.015, NAT, released)
    outcome = rng.choice(len(OUTCOMES), size=n, p=cal.OUTCOMES)

    detention_ids = [f"{abbr}-{year}-{i:06d}" for i in range(1, n + 1)]

    # street triage: contacts that led to a detention, then the rest of the contacts
    triage_link = [""] * n
    if fp.triage is not None:
        triage_link = _triage(rng, chunk, state, year, months, month_index, times, section, who, officer)

    person_ids = state.persons.ids(who)
    cols = {
        "detention_id": detention_ids,
        "force": [code] * n,
        "detained_at": iso(times),
        "section": SECTIONS[section].tolist(),
        "person_id": person_ids,
        "officer_id": officer.tolist(),
        "age": _ints(age, ~age_given),
        "age_band": AGE_BANDS[band].tolist(),
        "sex": SEXES[sex].tolist(),
        "ethnicity": ETHNICITIES[ethnicity].tolist(),
        "consulted_health_professional": CONSULTED[consulted].tolist(),
        "transport": TRANSPORT[transport].tolist(),
        "police_vehicle_reason": np.where(is_pv, PV_REASONS[np.maximum(pv_reason, 0)], "").tolist(),
        "first_place_of_safety": PLACES[place].tolist(),
        "police_station_reason": np.where(at_ps, PS_REASONS[np.maximum(ps_reason, 0)], "").tolist(),
        "arrived_pos_at": iso(arrived_out),
        "assessment_completed_at": iso(assessed_out),
        "released_at": iso(released_out),
        "outcome": OUTCOMES[outcome].tolist(),
        "triage_contact_id": triage_link,
    }
    chunk.s136 = [list(row) for row in zip(*(cols[c] for c in S136_COLUMNS), strict=True)]
    _custody(rng, chunk, state, year, mon, times, at_ps, arrived, released, who, age, ps_reason, outcome, detention_ids)
    if code.startswith("E23") or code == "BTP":
        _nhs_counts(chunk, section, age, age_given | (band != 2), sex, ~at_ps)
    return chunk


def _triage(
    rng: np.random.Generator,
    chunk: Chunk,
    state: ForceState,
    year: int,
    months: np.ndarray,
    month_index: np.ndarray,
    times: np.ndarray,
    section: np.ndarray,
    who: np.ndarray,
    officer: np.ndarray,
) -> list[str]:
    """Triage contacts of the force-year; returns each detention's triage_contact_id (blank when none)."""
    fp = state.plan
    start = fp.triage.start.astype("datetime64[m]")
    live = (times >= start) & (section == 0)
    linked = np.flatnonzero(live & (rng.random(len(times)) < TRIAGE_LINKED_SHARE))
    post = months[month_index] >= fp.triage.start.astype("datetime64[M]")
    counts = rng.poisson(fp.triage_contact_rate * fp.counterfactual[month_index] * post)
    other_times = _random_times(rng, months[month_index], counts)
    other_times = other_times[other_times >= start]
    n_other = len(other_times)
    other_who = state.persons.draw(rng, other_times, new_share=0.6)
    other_officer, _ = state.officers.draw(rng, other_times)

    contact_at = np.concatenate([times[linked] - _minutes(rng.uniform(10, 90, len(linked))), other_times])
    persons = np.concatenate([who[linked], other_who])
    officers = np.concatenate([officer[linked], other_officer])
    outcome = np.concatenate([np.zeros(len(linked), dtype=np.int64), rng.choice(7, n_other, p=TRIAGE_OUTCOMES)])
    considered = np.concatenate([np.ones(len(linked), dtype=bool), rng.random(n_other) < 0.35])
    m = len(contact_at)
    model = rng.choice(len(MODELS), m, p=TRIAGE_MODELS)
    response = np.where(model == 1, rng.lognormal(np.log(6), 0.6, m), rng.lognormal(np.log(22), 0.5, m))
    order = np.argsort(contact_at, kind="stable")
    ids = np.empty(m, dtype=object)
    ids[order] = [f"{fp.abbr}-T{year}-{i:06d}" for i in range(1, m + 1)]
    cols = {
        "contact_id": ids.tolist(),
        "force": [fp.force.code] * m,
        "contact_at": iso(contact_at),
        "model": MODELS[model].tolist(),
        "person_id": state.persons.ids(persons),
        "officer_id": officers.tolist(),
        "practitioner_role": ROLES[rng.choice(len(ROLES), m, p=TRIAGE_ROLES)].tolist(),
        "response_minutes": np.round(response).astype(np.int64).astype(str).tolist(),
        "s136_considered": _bools(considered, (rng.random(m) < 0.03) & (outcome != 0)),
        "outcome": TRIAGE_OUTCOME_VALUES[outcome].tolist(),
    }
    rows = [list(r) for r in zip(*(cols[c] for c in TRIAGE_COLUMNS), strict=True)]
    chunk.triage = [rows[i] for i in order]
    link = [""] * len(times)
    for detention, contact in zip(linked.tolist(), ids[: len(linked)].tolist(), strict=True):
        link[detention] = contact
    return link


def _custody(
    rng: np.random.Generator,
    chunk: Chunk,
    state: ForceState,
    year: int,
    months: np.ndarray,
    times: np.ndarray,
    at_ps: np.ndarray,
    arrived: np.ndarray,
    released: np.ndarray,
    who: np.ndarray,
    age: np.ndarray,
    ps_reason: np.ndarray,
    outcome: np.ndarray,
    detention_ids: list[str],
) -> None:
    """A custody episode for each police-station detention, plus episodes of people arrested then detained."""
    idx = np.flatnonzero(at_ps)
    n_extra = int(rng.poisson(ARRESTED_EPISODES_PER_POLICE_STATION * len(idx) + 0.5))
    extra_times = _random_times(rng, months, rng.multinomial(n_extra, np.ones(len(months)) / len(months)))
    extra_who = state.persons.draw(rng, extra_times, new_share=0.5)
    m = len(idx) + n_extra
    if m == 0:
        return
    arrive = np.concatenate([arrived[idx], extra_times + _minutes(rng.uniform(30, 240, n_extra))])
    stay_to_release = np.concatenate(
        [(released[idx] - arrived[idx]).astype(np.int64), rng.lognormal(np.log(8 * 60), 0.5, n_extra)]
    )
    transferred = rng.random(m) < 0.3
    stay = np.where(transferred, np.minimum(stay_to_release, rng.uniform(60, 360, m)), stay_to_release)
    depart = arrive + _minutes(stay)
    persons = np.concatenate([who[idx], extra_who])
    ages = np.concatenate([age[idx], state.persons.ages(extra_who, extra_times)])
    after_pca = arrive >= cal.PCA_2017
    arrested = np.concatenate([ps_reason[idx] == 1, np.ones(n_extra, dtype=bool)])
    reason = np.where(
        arrested,
        1,
        np.where(after_pca, rng.choice([0, 3], m, p=[0.85, 0.15]), rng.choice([2, 0, 3], m, p=[0.6, 0.25, 0.15])),
    )
    rank = np.where(after_pca, rng.choice(4, m, p=[0.85, 0.05, 0.05, 0.05]), rng.choice(4, m, p=[0.3, 0.05, 0.05, 0.6]))
    hcp = rng.random(m) < np.where(after_pca, 0.95, 0.6)
    checks = np.maximum(stay.astype(np.int64) // 30 - rng.integers(0, 2, m), 0)
    outcomes = np.concatenate([outcome[idx], rng.choice(len(OUTCOMES), n_extra, p=cal.OUTCOMES)])
    order = np.argsort(arrive, kind="stable")
    linked_ids = [detention_ids[i] for i in idx.tolist()] + [""] * n_extra
    cols = {
        "custody_record_id": [""] * m,
        "force": [state.plan.force.code] * m,
        "arrived_at": uk(arrive),
        "detention_id": linked_ids,
        "person_id": state.persons.ids(persons),
        "departed_at": uk(depart),
        "age": ages.astype(str).tolist(),
        "authorised_by_rank": RANKS[rank].tolist(),
        "reason": CUSTODY_REASONS[reason].tolist(),
        "healthcare_professional_present": _bools(hcp, rng.random(m) < 0.05),
        "welfare_checks_recorded": _ints(checks, rng.random(m) < 0.05),
        "transferred_to_hbpos": _bools(transferred, np.zeros(m, dtype=bool)),
        "outcome": OUTCOMES[outcomes].tolist(),
    }
    rows = [list(r) for r in zip(*(cols[c] for c in CUSTODY_COLUMNS), strict=True)]
    rows = [rows[i] for i in order]
    for i, row in enumerate(rows, start=1):
        row[0] = f"{state.plan.abbr}-C{year}-{i:05d}"
    chunk.custody = rows


def _nhs_counts(
    chunk: Chunk, section: np.ndarray, age: np.ndarray, age_known: np.ndarray, sex: np.ndarray, keep: np.ndarray
) -> None:
    """Counts for the NHS file: section (136/135) x age group (<18, 18-64, 65+, unknown) x sex (M, F, other)."""
    group = np.where(~age_known, 3, np.where(age < 18, 0, np.where(age < 65, 1, 2)))
    sx = np.minimum(sex, 2)
    sec = np.minimum(section, 1)
    flat = (sec * 4 + group) * 3 + sx
    chunk.nhs += np.bincount(flat[keep], minlength=24).reshape(2, 4, 3)
