"""Cell values shared by the record modules: contract categories as arrays, random times, CSV formatting."""

from __future__ import annotations

import numpy as np

from concordat import contracts
from concordat.demo import calibration as cal

NAT = np.datetime64("NaT", "m")


def categories(name: str, contract: contracts.Contract = contracts.S136) -> np.ndarray:
    """A category column's canonical values (contract order), for indexing with drawn codes."""
    return np.array(contract.column(name).categories, dtype=object)


def index_of(values: np.ndarray, value: str) -> int:
    return int(np.flatnonzero(values == value)[0])


def iso(times: np.ndarray) -> list[str]:
    """`2016-04-01T14:05`; NaT -> blank."""
    text = np.datetime_as_string(times.astype("datetime64[m]"), unit="m")
    return np.where(np.isnat(times), "", text).tolist()


def uk(times: np.ndarray) -> list[str]:
    """`01/04/2016 14:05`; NaT -> blank."""
    return [f"{s[8:10]}/{s[5:7]}/{s[0:4]} {s[11:16]}" if s else "" for s in iso(times)]


def ints(values: np.ndarray, missing: np.ndarray) -> list[str]:
    return np.where(missing, "", values.astype(np.int64).astype(str)).tolist()


def bools(values: np.ndarray, missing: np.ndarray) -> list[str]:
    return np.where(missing, "", np.where(values, "Y", "N")).tolist()


def minutes(values: np.ndarray) -> np.ndarray:
    return np.round(values).astype(np.int64).astype("timedelta64[m]")


def random_times(rng: np.random.Generator, months: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``counts[i]`` times in ``months[i]``: uniform day, evening/night-weighted hour, uniform minute."""
    month = np.repeat(months, counts)
    start = month.astype("datetime64[D]")
    days = ((month + 1).astype("datetime64[D]") - start).astype(np.int64)
    day = np.floor(rng.random(len(month)) * days).astype(np.int64)
    hour = rng.choice(24, size=len(month), p=cal.HOUR_WEIGHTS / cal.HOUR_WEIGHTS.sum())
    minute = rng.integers(0, 60, len(month))
    return start.astype("datetime64[m]") + (day * 24 * 60 + hour * 60 + minute).astype("timedelta64[m]")


def rows(columns: dict[str, list[str]], names: tuple[str, ...]) -> list[list[str]]:
    """Column lists -> row lists in the contract's column order."""
    return [list(row) for row in zip(*(columns[c] for c in names), strict=True)]
