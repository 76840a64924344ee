"""The published national picture the demo is calibrated to (England and Wales, section 136 only).

Figures for the years in ``ingest/reference/ho_s136_national.csv`` reproduce the Home Office counts there
(the tests check the generated data against that file, within 10%); the other years are interpolated from
the published context (emergency departments rising to ~40% of known places of safety by 2023/24, police
vehicles about half of conveyances, police stations ~4% in 2016/17 and under 1% after 11 Dec 2017).
Keys are financial years: 2016 means 2016/17. Years outside a table use the nearest year in it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Section 136 detentions in England and Wales (all forces incl. BTP), valid rows, after planted effects.
NATIONAL_DETENTIONS: Mapping[int, float] = {
    2010: 20000,
    2011: 20800,
    2012: 21600,
    2013: 23000,
    2014: 24500,
    2015: 25400,
    2016: 26328,
    2017: 29662,
    2018: 33238,
    2019: 34300,
    2020: 35600,
    2021: 36621,
    2022: 34685,
    2023: 31213,
    2024: 30800,
}

#: Police station as first place of safety, as a share of all s136 detentions (before the PCA 2017 changes
#: for 2017/18, which falls to POLICE_STATION_AFTER_PCA from 11 Dec 2017).
POLICE_STATION_SHARE: Mapping[int, float] = {
    2010: 0.20,
    2011: 0.17,
    2012: 0.15,
    2013: 0.12,
    2014: 0.10,
    2015: 0.07,
    2016: 1029 / 26328,
    2017: 0.032,
    2018: 136 / 33238,
    2019: 0.0045,
    2020: 0.0060,
    2021: 264 / 36621,
    2022: 314 / 34685,
    2023: 322 / 31213,
    2024: 0.0100,
}
POLICE_STATION_AFTER_PCA = 0.0045
PCA_2017 = np.datetime64("2017-12-11T00:00", "m")

#: Emergency department as a share of KNOWN first places of safety.
ED_SHARE_OF_KNOWN: Mapping[int, float] = {
    2010: 0.05,
    2014: 0.06,
    2015: 0.07,
    2016: 0.0805,
    2017: 0.12,
    2018: 0.17,
    2019: 0.21,
    2020: 0.25,
    2021: 0.29,
    2022: 0.35,
    2023: 0.42,
    2024: 0.43,
}
#: First place of safety `Not known`, share of all rows (recording improves over time).
PLACE_NOT_KNOWN: Mapping[int, float] = {
    2010: 0.11,
    2014: 0.10,
    2015: 0.095,
    2016: 0.089,
    2017: 0.07,
    2018: 0.06,
    2019: 0.05,
    2020: 0.045,
    2021: 0.04,
    2022: 0.035,
    2023: 0.03,
}
PRIVATE_HOME = 0.005
OTHER_PLACE = 0.015

#: Transport shares of all rows: Ambulance and Police vehicle by year; the rest fixed, `Not known` the remainder.
AMBULANCE: Mapping[int, float] = {
    2010: 0.30,
    2014: 0.32,
    2015: 0.335,
    2016: 9142 / 26328,
    2017: 0.37,
    2018: 0.38,
    2019: 0.39,
    2020: 0.38,
    2021: 0.37,
    2022: 0.36,
    2023: 0.35,
}
POLICE_VEHICLE: Mapping[int, float] = {
    2010: 0.45,
    2014: 0.43,
    2015: 0.42,
    2016: 10846 / 26328,
    2017: 0.40,
    2018: 0.40,
    2019: 0.41,
    2020: 0.43,
    2021: 0.47,
    2022: 0.50,
    2023: 0.51,
}
OTHER_HEALTH_VEHICLE = 0.04
OTHER_TRANSPORT = 0.025
ALREADY_THERE = 0.05

#: Why a police vehicle was used, shares of police-vehicle rows (2016/17 published split; order = contract).
POLICE_VEHICLE_REASONS = np.array([3436, 2516, 171, 77, 1627, 3019], dtype=float) / 10846

#: consulted_health_professional (Yes, No, Not practicable, Not known): before the duty, after it (Yes varies
#: by force around this value), and for officers who completed a placement (the planted officer-level effect).
CONSULT_BEFORE_PCA = np.array([0.25, 0.55, 0.12, 0.08])
CONSULT_YES_AFTER_PCA = 0.55
CONSULT_AFTER_PCA_REST = (0.15, 0.05)  # Not practicable, Not known; No is the remainder
CONSULT_PLACED = np.array([0.80, 0.08, 0.08, 0.04])
CONSULT_PLACED_BEFORE_PCA = np.array([0.55, 0.30, 0.10, 0.05])
#: Placed officers use police stations this much less (relative).
PLACED_POLICE_STATION_FACTOR = 0.5

#: Under-18s: share of new people detained; ~6% of detentions once repeat detentions of adults are counted.
UNDER_18_NEW_PERSON = 0.068
SEX = np.array([0.54, 0.455, 0.005])  # Male, Female, Other; `Not known` is recorded per row
SEX_NOT_RECORDED = 0.015
ETHNICITY = np.array([0.79, 0.04, 0.06, 0.08, 0.03])  # White, Mixed, Asian, Black, Other
ETHNICITY_NOT_STATED = 0.03

#: Outcomes (contract order): informal, s2, s3, community, other services, NFA, arrested, not known.
OUTCOMES = np.array([0.14, 0.20, 0.05, 0.25, 0.10, 0.20, 0.02, 0.04])

#: Share of section 135 rows (relative to counterfactual s136 volumes), split 135(1) / 135(2).
S135_RATE = 0.03
S135_SPLIT = np.array([0.8, 0.2])

#: Calendar-month seasonality (Jan..Dec): more detentions in summer.
SEASONALITY = np.array([0.92, 0.88, 0.95, 0.98, 1.03, 1.06, 1.10, 1.08, 1.02, 1.00, 0.97, 1.01])
#: Hour-of-day weights (0..23): evenings and nights.
HOUR_WEIGHTS = np.array(
    [5, 4.5, 4, 3.2, 2.5, 2, 1.8, 2, 2.5, 3, 3.3, 3.6, 3.8, 4, 4.2, 4.5, 4.8, 5.2, 5.6, 6, 6.2, 6.2, 6, 5.6]
)

#: Force-level variation in volume per head (log-normal sigma) and BTP's share of national detentions.
FORCE_VOLUME_SIGMA = 0.25
BTP_SHARE = 0.015


def by_year(table: Mapping[int, float], year: int) -> float:
    """The table's value for a financial year: exact, linearly interpolated, or the nearest end."""
    years = sorted(table)
    if year <= years[0]:
        return float(table[years[0]])
    if year >= years[-1]:
        return float(table[years[-1]])
    if year in table:
        return float(table[year])
    lo = max(y for y in years if y < year)
    hi = min(y for y in years if y > year)
    return float(table[lo] + (table[hi] - table[lo]) * (year - lo) / (hi - lo))


def place_shares(year: int, police_station: float) -> np.ndarray:
    """First place of safety shares in contract order (HBPoS, ED, Police station, home, other, not known)."""
    not_known = by_year(PLACE_NOT_KNOWN, year)
    known = 1.0 - not_known
    ed = by_year(ED_SHARE_OF_KNOWN, year) * known
    hbpos = known - ed - police_station - PRIVATE_HOME - OTHER_PLACE
    return np.array([hbpos, ed, police_station, PRIVATE_HOME, OTHER_PLACE, not_known])


def transport_shares(year: int) -> np.ndarray:
    """Transport shares in contract order (ambulance, police vehicle, other health, other, none, not known)."""
    amb, pv = by_year(AMBULANCE, year), by_year(POLICE_VEHICLE, year)
    rest = 1.0 - amb - pv - OTHER_HEALTH_VEHICLE - OTHER_TRANSPORT - ALREADY_THERE
    return np.array([amb, pv, OTHER_HEALTH_VEHICLE, OTHER_TRANSPORT, ALREADY_THERE, rest])


def consult_probabilities(yes_after_pca: float, after_pca: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """(rows, 4) probabilities of consulted_health_professional (Yes, No, Not practicable, Not known).

    ``yes_after_pca`` is the force's usual P(Yes) once the duty applies; officers who completed a placement
    follow CONSULT_PLACED instead (the planted officer-level effect).
    """
    usual_after = np.array([yes_after_pca, 1.0 - yes_after_pca - sum(CONSULT_AFTER_PCA_REST), *CONSULT_AFTER_PCA_REST])
    usual = np.where(after_pca[:, None], usual_after, CONSULT_BEFORE_PCA)
    with_placement = np.where(after_pca[:, None], CONSULT_PLACED, CONSULT_PLACED_BEFORE_PCA)
    return np.where(placed[:, None], with_placement, usual)
