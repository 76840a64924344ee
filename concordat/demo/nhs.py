"""A synthetic NHS Digital "Mental Health Act Statistics, Annual Figures" file (long format).

It is built from the generated detentions the way the real count differs from the police's: England only,
detentions whose first place of safety was a police station excluded, and an under-count from partial
provider submission (each year 65-75% of the rest). Counts are rounded to the nearest 5 and small ones
published as ``*``; rates are ``NULL`` where NHS Digital would not publish one. Rows of other measures are
included too, because ingest must skip them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from concordat.demo.writers import write_csv

HEADER = (
    "Year",
    "Measure",
    "MeasureSubcategory",
    "Demographic",
    "DemographicBreakdown",
    "OrganisationBreakdown",
    "Datasource",
    "OrgID",
    "OrgName",
    "MHSDS_Count",
    "Acute_Count",
    "Total_Count",
    "CrudeRate",
    "StdRate",
    "Confidence_interval",
)
ENGLAND_POPULATION = 56_500_000
AGE_GROUPS = (("Under 18", 12_000_000), ("18 to 64", 34_500_000), ("65 and over", 10_000_000), ("Unknown", None))
SEXES = (("Male", 27_800_000), ("Female", 28_700_000), ("Unknown", None))
COVERAGE = (0.65, 0.75)
SUPPRESS_BELOW = 8
#: Other measures in the published file (ingest skips them), per 100,000 population
OTHER_MEASURES = (
    ("Detentions", "Section 2", 52.0),
    ("Detentions", "Section 3", 30.0),
    ("Uses of the Act", "All", 95.0),
)


def _count(value: float) -> str:
    return "*" if value < SUPPRESS_BELOW else str(int(5 * round(value / 5)))


def _rate(total: str, population: int | None) -> tuple[str, str]:
    if total == "*" or population is None:
        return "NULL", "NULL"
    rate = int(total) / population * 100_000
    half = 1.96 * np.sqrt(max(int(total), 1)) / population * 100_000
    return f"{rate:.1f}", f"{rate - half:.1f} - {rate + half:.1f}"


def rows(rng: np.random.Generator, counts: dict[int, np.ndarray]) -> list[list[str]]:
    """The file's rows. ``counts[year]`` is [section 136/135, age group, sex] of the qualifying detentions."""
    out: list[list[str]] = []
    for year in sorted(counts):
        label = f"{year}-{(year + 1) % 100:02d}"
        coverage = rng.uniform(*COVERAGE)
        by_section = {
            "Section 136": counts[year][0],
            "Section 135": counts[year][1],
            "All place of safety orders": counts[year].sum(axis=0),
        }
        for sub, table in by_section.items():
            cells = [("Total", "Total", table.sum(), ENGLAND_POPULATION)]
            cells += [("Age group", name, table[i].sum(), pop) for i, (name, pop) in enumerate(AGE_GROUPS)]
            sex = [table[:, 0].sum(), table[:, 1].sum(), table[:, 2].sum()]
            cells += [("Gender", name, sex[i], pop) for i, (name, pop) in enumerate(SEXES)]
            for demographic, breakdown, n, pop in cells:
                expected = float(n) * coverage
                acute = _count(expected * 0.03)
                total = _count(expected)
                mhsds = _count(expected * 0.97)
                crude, interval = _rate(total, pop)
                std = crude if demographic == "Total" and rng.random() < 0.7 else "NULL"
                out.append(
                    [label, "Short term orders", sub, demographic, breakdown, "England", "MHSDS", "E92000001",
                     "ENGLAND", mhsds, acute, total, crude, std, interval]
                )  # fmt: skip
        for measure, sub, per_100k in OTHER_MEASURES:
            total = _count(per_100k * ENGLAND_POPULATION / 100_000 * rng.uniform(0.95, 1.05))
            crude, interval = _rate(total, ENGLAND_POPULATION)
            out.append(
                [label, measure, sub, "Total", "Total", "England", "MHSDS", "E92000001", "ENGLAND", total, "NULL",
                 total, crude, crude, interval]
            )  # fmt: skip
    return out


def write(path: Path, rng: np.random.Generator, counts: dict[int, np.ndarray]) -> int:
    return write_csv(path, HEADER, rows(rng, counts))
