"""Deliberately bad rows, so the demo exercises the quarantine path.

Each bad row is an extra copy of a valid row of the same chunk (same force) with exactly one defect, so the
valid rows are exactly what the calibration describes. Kinds rotate per source: a bad date, an unknown
category value, a missing required value, a duplicated id (the copy keeps the id and comes second).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from concordat import contracts
from concordat.demo.sampling import Quota

KINDS = ("bad_date", "unknown_category", "missing_required", "duplicate_id")


@dataclass(frozen=True)
class BadRowSpec:
    """Which columns a source's defects touch."""

    id_column: str
    date_column: str
    bad_dates: tuple[object, ...]
    category_column: str
    unknown_values: tuple[str, ...]
    required_columns: tuple[str, ...]


SPECS: dict[str, BadRowSpec] = {
    "s136": BadRowSpec(
        "detention_id", "detained_at", ("31/02/2024", "2023-13-45"),
        "first_place_of_safety", ("Spaceship", "Moon base"), ("detention_id", "detained_at"),
    ),
    "custody": BadRowSpec(
        "custody_record_id", "arrived_at", ("31/02/2024 10:00", "2023-13-45 25:61"),
        "reason", ("Alien abduction",), ("custody_record_id", "arrived_at"),
    ),
    "triage": BadRowSpec(
        "contact_id", "contact_at", ("31/02/2024", "2023-13-45T10:00"),
        "outcome", ("Teleported",), ("contact_id", "contact_at"),
    ),
    "placements": BadRowSpec(
        "placement_id", "start_date", ("31/02/2024", "2023-13-45"),
        "status", ("Maybe",), ("officer_id", "service"),
    ),
}  # fmt: skip


@dataclass
class BadRowPlanter:
    """Adds about ``share`` bad rows to each chunk of one source and counts them by kind."""

    source: str
    share: float
    counts: Counter[str] = field(default_factory=Counter)
    _turn: int = 0

    def __post_init__(self) -> None:
        self.spec = SPECS[self.source]
        self.quota = Quota(self.share)
        names = [c.name for c in contracts.CONTRACTS[self.source].columns]
        self.index = {name: names.index(name) for name in names}

    def plant(self, rng: np.random.Generator, rows: list[list[object]]) -> list[list[object]]:
        """The chunk's rows with its bad rows inserted (each right after the valid row it copies)."""
        k = self.quota.take(len(rows))
        if k == 0:
            return rows
        templates = sorted(rng.choice(len(rows), size=k, replace=k > len(rows)).tolist())
        extra: dict[int, list[list[object]]] = {}
        for i, template in enumerate(templates):
            kind = KINDS[self._turn % len(KINDS)]
            self._turn += 1
            extra.setdefault(template, []).append(self._corrupt(rows[template], kind, f"X{self._turn}", i))
            self.counts[kind] += 1
        out: list[list[object]] = []
        for i, row in enumerate(rows):
            out.append(row)
            out.extend(extra.get(i, ()))
        return out

    def _corrupt(self, row: list[object], kind: str, suffix: str, i: int) -> list[object]:
        spec, bad = self.spec, list(row)
        id_at = self.index[spec.id_column]
        if kind != "duplicate_id":
            bad[id_at] = f"{row[id_at]}-{suffix}"  # a fresh id, so the only defect is the planted one
        if kind == "bad_date":
            bad[self.index[spec.date_column]] = spec.bad_dates[i % len(spec.bad_dates)]
        elif kind == "unknown_category":
            bad[self.index[spec.category_column]] = spec.unknown_values[i % len(spec.unknown_values)]
        elif kind == "missing_required":
            bad[self.index[spec.required_columns[i % len(spec.required_columns)]]] = ""
        return bad

    def summary(self) -> dict[str, int]:
        return {kind: self.counts[kind] for kind in KINDS}
