"""Student officer placements in NHS mental-health services, modelled on the Sheffield scheme.

A cohort of student officers starts every three months. Each officer does two weeks: a community week in one
of the community services, then a ward week on one of the wards. The scheme's capacity rule allows at most
two officers per service at a time, so officers go through in weekly batches of at most eight (four wards x
two). One row per officer-week (the tracker's layout): a completed placement is two rows, a withdrawal one.
A few officers withdraw (~4%); one capacity breach per scheme is planted on purpose (the KPI must show it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from concordat import contracts
from concordat.demo.sampling import Quota

COMMUNITY_SERVICES: tuple[tuple[str, str], ...] = (
    ("Community Enhancing Recovery Team", "Community"),
    ("Liaison Service", "Other"),
    ("Gender Identity Service", "Community"),
    ("Early Intervention in Psychosis Service", "Community"),
    ("Mental Health Recovery Team (North)", "Community"),
    ("Intensive Rehabilitation Service", "Community"),
    ("Assessment and Treatment Service", "Community"),
    ("Single Point of Access", "Crisis / single point of access"),
)
WARDS: tuple[str, ...] = ("Burbage Ward", "Stanage Ward", "Maple Ward", "G1 Ward")
CAPACITY = 2
BATCH = CAPACITY * len(WARDS)
COHORT_EVERY_MONTHS = 3
COHORT_SIZE = (10, 17)  # at national scale; x --scale N
WITHDRAWN_SHARE = 0.04
HEADER = tuple(c.name for c in contracts.PLACEMENTS.columns)  # rows below are built in this order


@dataclass
class Schedule:
    rows: list[list[object]] = field(default_factory=list)
    completed_officers: list[str] = field(default_factory=list)
    completed_at: list[np.datetime64] = field(default_factory=list)  # end of the ward week
    breaches: list[dict[str, str]] = field(default_factory=list)


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def schedule(
    rng: np.random.Generator,
    force_code: str,
    abbr: str,
    start: np.datetime64,
    end: np.datetime64,
    officers: list[str],
    multiplier: float,
) -> Schedule:
    """The tracker rows of one force's scheme from ``start`` (a Monday) until ``end`` (exclusive)."""
    out = Schedule()
    week = start.astype("datetime64[D]")
    cohort_start = week
    pool = iter(officers)
    seq = 0
    batches = 0
    breach_batch = int(rng.integers(1, 7))  # the planted capacity breach: in one of the first few batches
    breach_planted = False
    withdrawals = Quota(WITHDRAWN_SHARE, carry=0.5)
    while True:
        size = max(1, round(int(rng.integers(*COHORT_SIZE)) * multiplier))
        cohort = str(cohort_start.astype("datetime64[M]"))
        week = max(week, cohort_start)
        members = [next(pool, None) for _ in range(size)]
        members = [m for m in members if m is not None]
        if not members or max(week, cohort_start) + 12 > end:
            return out  # no officers left to place, or no time left in the range
        withdrawing = set(rng.permutation(len(members))[: withdrawals.take(len(members))].tolist())
        for first in range(0, len(members), BATCH):
            batch = members[first : first + BATCH]
            if week + 12 > end or not batch:
                return out
            community = [COMMUNITY_SERVICES[i] for i in rng.permutation(len(COMMUNITY_SERVICES))] * CAPACITY
            wards = [WARDS[i] for i in rng.permutation(len(WARDS))] * CAPACITY
            batches += 1
            plant_breach = not breach_planted and batches >= breach_batch and len(batch) >= 3
            if plant_breach:  # three officers in the first officer's service, the same week
                community[1] = community[2] = community[0]
                breach_planted = True
                out.breaches.append({"force": force_code, "service": community[0][0], "week_start": str(week)})
            for i, officer in enumerate(batch):
                withdrawn_week = 0
                if first + i in withdrawing:
                    withdrawn_week = 1 if rng.random() < 0.6 else 2
                pre = int(rng.choice([1, 2, 3, 4], p=[0.15, 0.35, 0.35, 0.15]))
                post = int(min(5, pre + rng.choice([0, 1, 2], p=[0.25, 0.5, 0.25])))
                induction = rng.random() < 0.97
                weeks = ((community[i][0], community[i][1], week), (wards[i], "Inpatient ward", week + 7))
                for n, (service, setting, monday) in enumerate(weeks, start=1):
                    seq += 1
                    withdrawn = withdrawn_week == n
                    last_day = monday + (int(rng.integers(0, 4)) if withdrawn else 4)
                    out.rows.append(
                        [
                            f"{abbr}-PL{seq:05d}",
                            officer,
                            force_code,
                            cohort,
                            service,
                            setting,
                            _date(monday),
                            _date(last_day),
                            "Withdrawn" if withdrawn else "Completed",
                            _yes(induction),
                            _yes(n == 2 and not withdrawn and rng.random() < 0.85),
                            _yes(n == 2 and not withdrawn and rng.random() < 0.8),
                            pre,
                            None if withdrawn_week else post,
                        ]
                    )
                    if withdrawn:
                        break
                if not withdrawn_week:
                    out.completed_officers.append(officer)
                    out.completed_at.append((week + 11).astype("datetime64[m]") + 17 * 60)  # Friday 17:00
            week = week + 7
        cohort_start = _monday_of(cohort_start.astype("datetime64[M]") + COHORT_EVERY_MONTHS)


def _monday_of(month: np.datetime64) -> np.datetime64:
    return np.busday_offset(month.astype("datetime64[D]"), 0, roll="forward", weekmask="Mon")


def _date(day: np.datetime64) -> dt.date:
    return day.astype("datetime64[D]").astype(dt.date)
