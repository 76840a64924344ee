"""Orchestrates a demo run: plan, placement schedules, then force-year chunks streamed to the files.

One numpy Generator seeded from --seed drives every draw, in a fixed order, so the same arguments give
byte-identical files. Only one force-year chunk is in memory at a time (plus small per-force pools).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from concordat import contracts, progress
from concordat.demo import effects, nhs, placements, records
from concordat.demo.badrows import BadRowPlanter
from concordat.demo.files import FILES, MANIFEST
from concordat.demo.people import OfficerPool, PersonPool
from concordat.demo.plan import Plan, build_plan
from concordat.demo.state import ForceState
from concordat.demo.writers import CsvSink, write_csv, write_xlsx


@dataclass(frozen=True)
class Options:
    out: Path
    scale: str = "small"
    seed: int = 136
    start_year: int | None = None
    end_year: int | None = None
    bad_row_share: float = 0.005


def generate(options: Options) -> dict[str, object]:
    """Write the demo files into ``options.out``; returns the manifest (also written as manifest.json)."""
    plan, rng = build_plan(options.scale, options.seed, options.start_year, options.end_year)
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    states, schedules = _force_states(rng, plan)
    samplers = records.Samplers(rng)
    planters = {s: BadRowPlanter(s, options.bad_row_share) for s in contracts.RECORD_SOURCES}
    nhs_counts: dict[int, np.ndarray] = {}
    fy_of_month = np.array([int(str(m)[:4]) - (int(str(m)[5:7]) < 4) for m in plan.months])

    sinks = {s: CsvSink(out / FILES[s], [c.name for c in contracts.CONTRACTS[s].columns]) for s in records_sources()}
    try:
        for year in plan.years:
            month_index = np.flatnonzero(fy_of_month == year)
            nhs_counts[year] = np.zeros((2, 4, 3), dtype=np.int64)
            for state in states:
                chunk = records.generate(rng, samplers, state, year, plan.months, month_index)
                for source in records_sources():
                    sinks[source].write(planters[source].plant(rng, getattr(chunk, source)))
                nhs_counts[year] += chunk.nhs
            progress.update(f"demo: {plan.fy_label(year)} done, {sinks['s136'].rows:,} s136 rows")
    finally:
        for sink in sinks.values():
            sink.close()
    if progress.enabled():
        progress.update("")

    placement_rows = [row for schedule in schedules.values() for row in schedule.rows]
    placement_rows = planters["placements"].plant(rng, placement_rows)
    scheme_names = ", ".join(s.plan.force.name for s in states if s.plan.placements is not None) or "no schemes"
    write_xlsx(
        out / FILES["placements"], "Placements", f"Officer placement tracker - {scheme_names}",
        placements.HEADER, placement_rows,
    )  # fmt: skip
    nhs_rows = nhs.write(out / FILES["nhs_mha"], rng, nhs_counts)
    interventions = _interventions(plan, states)
    write_csv(
        out / FILES["planted_interventions"],
        [c.name for c in contracts.PLANTED_INTERVENTIONS.columns],
        [[i[c.name] for c in contracts.PLANTED_INTERVENTIONS.columns] for i in interventions],
    )
    row_counts = {s: sinks[s].rows for s in records_sources()}
    row_counts["placements"] = len(placement_rows)
    row_counts["nhs_mha"] = nhs_rows
    row_counts["planted_interventions"] = len(interventions)
    manifest = {
        "generator": "concordat demo",
        "scale": plan.scale_label,
        "multiplier": plan.multiplier,
        "seed": plan.seed,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "financial_years": [plan.fy_label(y) for y in plan.years],
        "forces": [
            {
                "code": s.plan.force.code,
                "name": s.plan.force.name,
                "id_prefix": s.plan.abbr,
                "street_triage": s.plan.triage is not None,
                "officer_placements": s.plan.placements is not None,
            }
            for s in states
        ],
        "files": {source: FILES[source] for source in FILES},
        "row_counts": {FILES[s]: n for s, n in row_counts.items()},
        "bad_row_share": options.bad_row_share,
        "bad_rows": {s: planters[s].summary() for s in contracts.RECORD_SOURCES},
        "placements_layout": "one row per officer-week: a community week then a ward week (two rows per placement)",
        "capacity_breaches": [b for schedule in schedules.values() for b in schedule.breaches],
        "interventions": interventions,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def records_sources() -> tuple[str, ...]:
    """The CSV record sources streamed chunk by chunk (placements are small and written at the end)."""
    return ("s136", "custody", "triage")


def _force_states(rng: np.random.Generator, plan: Plan) -> tuple[list[ForceState], dict[str, placements.Schedule]]:
    """Per-force person and officer pools; placement schedules first, as officers' placement dates matter."""
    states, schedules = [], {}
    end = (plan.months[-1] + 1).astype("datetime64[D]")
    n_years = len(plan.years)
    for fp in plan.forces:
        annual = float(fp.monthly.sum()) / n_years
        reserve = 0
        if fp.placements is not None:
            cohorts = len(plan.months) // placements.COHORT_EVERY_MONTHS + 1
            reserve = int(cohorts * placements.COHORT_SIZE[1] * plan.multiplier) + 1
        officers = OfficerPool(rng, fp.abbr, annual, reserve)
        if fp.placements is not None:
            schedule = placements.schedule(
                rng, fp.force.code, fp.abbr, fp.placements.start, end, officers.reserved, plan.multiplier
            )
            officers.set_placed(schedule.completed_officers, np.array(schedule.completed_at, dtype="datetime64[m]"))
            schedules[fp.force.code] = schedule
        persons = PersonPool(f"{fp.abbr}-P")
        persons.warm_up(rng, plan.months[0].astype("datetime64[m]"), annual)
        states.append(ForceState(plan=fp, persons=persons, officers=officers))
    return states, schedules


def _interventions(plan: Plan, states: list[ForceState]) -> list[dict[str, object]]:
    by_force = {s.plan.force.code: s for s in states}
    out = []
    for i in plan.interventions:
        state = by_force[i.force]
        if i.type == "street_triage":
            effect = effects.triage_effect_pct(state.plan)
        else:
            effect = effects.placement_effect_pct(state.plan, state.officers, plan.months)
        out.append(
            {
                "intervention_id": i.intervention_id,
                "force": i.force,
                "type": i.type,
                "name": i.name,
                "start_date": str(i.start),
                "end_date": "",
                "description": i.description,
                "kpi_id": i.kpi_id,
                "true_effect_pct": round(effect, 2),
            }
        )
    return out
