"""One chunk of record-level data: a force's s136 detentions for a financial year, and what derives from them
(street-triage contacts in ``triage``, custody episodes in ``custody``).

Everything is drawn vectorised with numpy for the whole force-year. Rows come out as lists of strings in the
contract's column order, ready for the CSV writer (ISO datetimes in s136).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from concordat import contracts
from concordat.demo import calibration as cal
from concordat.demo import custody, triage
from concordat.demo.sampling import SystematicChoice, constant
from concordat.demo.state import Detentions, ForceState
from concordat.demo.values import NAT, categories, index_of, ints, iso, minutes, random_times, rows

COLUMNS = tuple(c.name for c in contracts.S136.columns)
PLACES = categories("first_place_of_safety")
TRANSPORT = categories("transport")
PV_REASONS = categories("police_vehicle_reason")
PS_REASONS = categories("police_station_reason")
CONSULTED = categories("consulted_health_professional")
OUTCOMES = categories("outcome")
SEXES = categories("sex")
ETHNICITIES = categories("ethnicity")
SECTIONS = categories("section")
AGE_BANDS = categories("age_band")
POLICE_STATION = index_of(PLACES, "Police station")
PLACE_NOT_KNOWN = index_of(PLACES, "Not known")
POLICE_VEHICLE = index_of(TRANSPORT, "Police vehicle")
ALREADY_THERE = index_of(TRANSPORT, "None (already at place of safety)")

PS_REASON_SHARES = np.array([0.6, 0.2, 0.1, 0.1])
PS_REASON_SHARES_AFTER_PCA = np.array([0.55, 0.3, 0.1, 0.05])
UNDER_18_EXPECTED = 0.06
AGE_GIVEN, AGE_BAND_ONLY = 0.88, 0.09  # the rest: age band `Not known`


class Samplers:
    """Systematic samplers shared by all forces, so national totals of small categories stay on target."""

    def __init__(self, rng: np.random.Generator) -> None:
        # police station first (exact), then ED, HBPoS and the rest
        self.place = SystematicChoice(rng, len(PLACES), order=[2, 1, 3, 4, 5, 0])
        self.transport = SystematicChoice(rng, len(TRANSPORT), order=[1, 0, 2, 3, 4, 5])
        self.pv_reason = SystematicChoice(rng, len(PV_REASONS), order=[3, 2, 0, 1, 4, 5])
        self.consulted = SystematicChoice(rng, len(CONSULTED))


@dataclass
class Chunk:
    s136: list[list[str]] = field(default_factory=list)
    custody: list[list[str]] = field(default_factory=list)
    triage: list[list[str]] = field(default_factory=list)
    #: NHS-style counts of the valid rows outside police stations: [section 136/135, age group, sex]
    nhs: np.ndarray = field(default_factory=lambda: np.zeros((2, 4, 3), dtype=np.int64))


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
    mon = months[month_index]
    n136 = rng.poisson(fp.monthly[month_index])
    n135 = rng.poisson(cal.S135_RATE * fp.counterfactual[month_index])
    times = np.concatenate([random_times(rng, mon, n136), random_times(rng, mon, n135)])
    section = np.concatenate(
        [np.zeros(n136.sum(), dtype=np.int64), 1 + rng.choice(2, size=n135.sum(), p=cal.S135_SPLIT)]
    )
    order = np.argsort(times, kind="stable")
    times, section = times[order], section[order]
    n = len(times)

    # people and officers
    who = state.persons.draw(rng, times)
    age = state.persons.ages(who, times)
    under_18 = age < 18
    recording = rng.random(n)
    age_given = recording < AGE_GIVEN
    band = np.where(recording >= AGE_GIVEN + AGE_BAND_ONLY, 2, np.where(under_18, 0, 1))
    sex = np.where(rng.random(n) < cal.SEX_NOT_RECORDED, 3, state.persons.sex[who])
    ethnicity = np.where(rng.random(n) < cal.ETHNICITY_NOT_STATED, 5, state.persons.ethnicity[who])
    officer, placed = state.officers.draw(rng, times)
    after_pca = times >= cal.PCA_2017

    consulted = samplers.consulted.draw(rng, cal.consult_probabilities(fp.consult_yes, after_pca, placed))
    transport = samplers.transport.draw(rng, constant(cal.transport_shares(year), n))
    is_pv = transport == POLICE_VEHICLE
    pv_reason = np.full(n, -1)
    pv_reason[is_pv] = samplers.pv_reason.draw(rng, constant(cal.POLICE_VEHICLE_REASONS, int(is_pv.sum())))
    place = samplers.place.draw(rng, _place_probabilities(year, after_pca, under_18, placed))
    at_ps = place == POLICE_STATION
    ps_reason = np.full(n, -1)
    ps_reason_p = np.where(after_pca[at_ps, None], PS_REASON_SHARES_AFTER_PCA, PS_REASON_SHARES)
    ps_reason[at_ps] = [rng.choice(len(PS_REASONS), p=p) for p in ps_reason_p]

    arrived, assessed, released = _timeline(rng, times, transport, after_pca)
    arrived_out = np.where((place == PLACE_NOT_KNOWN) & (rng.random(n) < 0.5), NAT, arrived)
    assessed_out = np.where(rng.random(n) < 0.04, NAT, assessed)
    released_out = np.where(rng.random(n) < 0.015, NAT, released)
    outcome = rng.choice(len(OUTCOMES), size=n, p=cal.OUTCOMES)

    d = Detentions(
        ids=[f"{fp.abbr}-{year}-{i:06d}" for i in range(1, n + 1)],
        times=times,
        section=section,
        who=who,
        officer=officer,
        age=age,
        at_police_station=at_ps,
        police_station_reason=ps_reason,
        arrived=arrived,
        released=released,
        outcome=outcome,
    )
    chunk = Chunk()
    triage_link = [""] * n
    if fp.triage is not None:
        chunk.triage, triage_link = triage.contacts(rng, state, year, months, month_index, d)

    columns = {
        "detention_id": d.ids,
        "force": [fp.force.code] * n,
        "detained_at": iso(times),
        "section": SECTIONS[section].tolist(),
        "person_id": state.persons.ids(who),
        "officer_id": officer.tolist(),
        "age": ints(age, ~age_given),
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
    chunk.s136 = rows(columns, COLUMNS)
    chunk.custody = custody.episodes(rng, state, year, mon, d)
    if fp.force.code.startswith("E23") or fp.force.code == "BTP":
        _nhs_counts(chunk, section, age, age_given | (band != 2), sex, ~at_ps)
    return chunk


def _place_probabilities(year: int, after_pca: np.ndarray, under_18: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """(rows, places): the year's shares, with police stations for nobody under 18 after the PCA (half the
    adult rate before), half as often for placed officers; adults carry the under-18s' share so the
    national police-station count stays on the published figure."""
    ps_year = cal.by_year(cal.POLICE_STATION_SHARE, year)
    ps_base = np.where(after_pca & (year <= 2017), cal.POLICE_STATION_AFTER_PCA, ps_year)
    ps_adult = ps_base / (1.0 - UNDER_18_EXPECTED * np.where(after_pca, 1.0, 0.5))
    ps = ps_adult * np.where(under_18, np.where(after_pca, 0.0, 0.5), 1.0)
    ps = ps * np.where(placed, cal.PLACED_POLICE_STATION_FACTOR, 1.0)
    others = np.delete(cal.place_shares(year, ps_year), POLICE_STATION)
    return np.insert(others[None, :] * ((1.0 - ps) / others.sum())[:, None], POLICE_STATION, ps, axis=1)


def _timeline(
    rng: np.random.Generator, times: np.ndarray, transport: np.ndarray, after_pca: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arrival at the place of safety, end of assessment, release: log-normal hours with a tail beyond 24
    hours (more of it before the PCA's 24-hour limit) and a handful beyond 36."""
    n = len(times)
    travel = np.where(transport == ALREADY_THERE, rng.integers(0, 6, n), rng.lognormal(np.log(35), 0.5, n))
    arrived = times + minutes(travel)
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
    released = arrived + minutes(hours * 60)
    assessed = arrived + minutes(hours * 60 * rng.uniform(0.5, 0.95, n))
    return arrived, assessed, released


def _nhs_counts(
    chunk: Chunk, section: np.ndarray, age: np.ndarray, age_known: np.ndarray, sex: np.ndarray, keep: np.ndarray
) -> None:
    """Counts for the NHS file: section (136/135) x age group (<18, 18-64, 65+, unknown) x sex (M, F, other)."""
    group = np.where(~age_known, 3, np.where(age < 18, 0, np.where(age < 65, 1, 2)))
    flat = (np.minimum(section, 1) * 4 + group) * 3 + np.minimum(sex, 2)
    chunk.nhs += np.bincount(flat[keep], minlength=24).reshape(2, 4, 3)
