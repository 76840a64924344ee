"""Police forces: codes, names, regions and populations, read from the dbt seed (one copy of the facts)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from concordat.paths import SEEDS_DIR

NATIONAL_CODE = "EW"
NATIONAL_NAMES = ("England and Wales", "England & Wales", "E&W", "EW")
_SUFFIXES = ("police service", "constabulary", "police")


@dataclass(frozen=True)
class Force:
    code: str
    name: str
    region: str
    region_code: str | None
    population: int | None


@cache
def all_forces() -> tuple[Force, ...]:
    """The 43 territorial forces and BTP, from warehouse/seeds/police_force_areas.csv."""
    with open(SEEDS_DIR / "police_force_areas.csv", newline="", encoding="utf-8") as fh:
        return tuple(
            Force(
                code=row["area_code"],
                name=row["force_name"],
                region=row["region"],
                region_code=row["region_code"] or None,
                population=int(row["population_approx"]) if row["population_approx"] else None,
            )
            for row in csv.DictReader(fh)
        )


def _key(text: str) -> str:
    key = re.sub(r"[^a-z0-9 ]", " ", text.lower().replace("&", " and "))
    key = " ".join(key.split())
    for suffix in _SUFFIXES:
        if key.endswith(" " + suffix):
            key = key[: -len(suffix) - 1]
            break
    return key


@cache
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for force in all_forces():
        table[_key(force.code)] = force.code
        table[_key(force.name)] = force.code
    table[_key("British Transport Police")] = "BTP"
    table[_key("Metropolitan Police Service")] = "E23000001"
    table[_key("Met")] = "E23000001"
    table[_key("Dyfed Powys")] = "W15000004"
    table[_key("Hampshire and Isle of Wight")] = "E23000030"  # Hampshire Constabulary's name since 2022
    return table


def force_code(value: str, allow_national: bool = False) -> str | None:
    """The force code for a code or name (`South Yorkshire Police` -> `E23000011`), or None if unknown."""
    if allow_national and _key(value) in {_key(n) for n in NATIONAL_NAMES}:
        return NATIONAL_CODE
    return _lookup().get(_key(value))
