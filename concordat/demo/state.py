"""What the record modules share: a force's persistent state, and one force-year's detentions as arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from concordat.demo.people import OfficerPool, PersonPool
from concordat.demo.plan import ForcePlan


@dataclass
class ForceState:
    """What persists for a force between its yearly chunks."""

    plan: ForcePlan
    persons: PersonPool
    officers: OfficerPool


@dataclass
class Detentions:
    """A force-year's detentions (sorted by time): what triage contacts and custody episodes derive from."""

    ids: list[str]
    times: np.ndarray  # datetime64[m]
    section: np.ndarray  # index into the contract's sections (0 = 136)
    who: np.ndarray  # person pool index
    officer: np.ndarray  # officer ids
    age: np.ndarray
    at_police_station: np.ndarray
    police_station_reason: np.ndarray  # index, -1 when not at a police station
    arrived: np.ndarray  # arrival at the place of safety (always known here; the file may blank it)
    released: np.ndarray
    outcome: np.ndarray  # index into the contract's outcomes
