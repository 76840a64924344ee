"""What a demo run covers: scale, financial years, forces, planted interventions and expected volumes.

Expected monthly s136 volumes per force follow the national calibration (``calibration``) spread over forces
by population with force-level variation, seasonality, and the planted street-triage steps. Volumes are
rescaled per year so that the national total *after* the planted reductions still matches the published
figure; the counterfactual of a triage force is its expected volume without its own step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from concordat import forces
from concordat.demo import calibration as cal
from concordat.errors import UserInputError

SMALL_FORCES = ("E23000011", "E23000007", "E23000008")  # South Yorkshire, Northumbria, Durham
SMALL_YEARS = (2016, 2020)
NATIONAL_YEARS = (2014, 2023)
SHEFFIELD_FORCE = "E23000011"
SHEFFIELD_START = np.datetime64("2018-03-05")  # a Monday: the first cohort of the Sheffield scheme
SMALL_TRIAGE_FORCE = "E23000007"
MIN_MONTHS_EACH_SIDE = 18
TRIAGE_SHARE_OF_FORCES = 0.25
N_PLACEMENT_FORCES = 4
FIRST_YEAR, LAST_YEAR = 2010, 2030


@dataclass(frozen=True)
class Intervention:
    intervention_id: str
    force: str
    type: str  # street_triage | officer_placements
    name: str
    start: np.datetime64  # a date
    description: str
    kpi_id: str
    effect: float = 0.0  # street triage: the step (0.25 = -25%); placements: filled in from the schedule


@dataclass
class ForcePlan:
    force: forces.Force
    abbr: str
    weight: float  # share of national detentions
    consult_yes: float  # P(Yes) after the PCA duty, for officers without a placement
    triage: Intervention | None = None
    placements: Intervention | None = None
    triage_contact_rate: float = 0.0  # non-linked contacts per counterfactual s136 detention
    monthly: np.ndarray = field(default_factory=lambda: np.zeros(0))  # expected s136 per month (with effects)
    counterfactual: np.ndarray = field(default_factory=lambda: np.zeros(0))  # ... without the force's triage


@dataclass
class Plan:
    scale_label: str
    multiplier: float
    seed: int
    start_year: int
    end_year: int
    months: np.ndarray  # datetime64[M], April of start_year .. March of end_year+1
    forces: list[ForcePlan]
    interventions: list[Intervention]

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))

    def fy_label(self, year: int) -> str:
        return f"{year}/{(year + 1) % 100:02d}"


def parse_scale(scale: str) -> tuple[str, float]:
    """`small`, `national` or N (a positive number, N x national volumes)."""
    if scale in ("small", "national"):
        return scale, 1.0
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise UserInputError(f"--scale must be small, national or a positive number, not {scale!r}") from None
    if not value > 0 or not np.isfinite(value):
        raise UserInputError(f"--scale must be a positive number, not {scale!r}")
    return str(scale), value


def abbreviations(all_forces: tuple[forces.Force, ...]) -> dict[str, str]:
    """Short, unique force prefixes for ids: `SY` for South Yorkshire, `DUR` for Durham, `BTP`."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for f in all_forces:
        words = [w for w in f.name.replace("-", " ").split() if w.lower() not in ("and", "of", "police")]
        candidates = [f.code] if f.code == "BTP" else []
        if len(words) > 1:
            candidates += ["".join(w[0] for w in words).upper(), (words[0][0] + words[1][:2]).upper()]
        candidates += [words[0][:3].upper(), words[0][:4].upper(), f.code]
        abbr = next(c for c in candidates if c not in used)
        used.add(abbr)
        out[f.code] = abbr
    return out


def month_starts(start_year: int, end_year: int) -> np.ndarray:
    return np.arange(np.datetime64(f"{start_year}-04", "M"), np.datetime64(f"{end_year + 1}-04", "M"))


def _start_month(rng: np.random.Generator, months: np.ndarray) -> np.datetime64 | None:
    """A start month with at least 18 months before and after it inside the range (None if impossible)."""
    lo, hi = MIN_MONTHS_EACH_SIDE, len(months) - MIN_MONTHS_EACH_SIDE
    if hi < lo:
        return None
    return months[int(rng.integers(lo, hi + 1))]


def _fits(months: np.ndarray, start: np.datetime64) -> bool:
    index = int((start.astype("datetime64[M]") - months[0]).astype(int))
    return MIN_MONTHS_EACH_SIDE <= index <= len(months) - MIN_MONTHS_EACH_SIDE


def _first_monday(month: np.datetime64) -> np.datetime64:
    day = month.astype("datetime64[D]")
    return np.busday_offset(day, 0, roll="forward", weekmask="Mon")


def build_plan(
    scale: str, seed: int, start_year: int | None = None, end_year: int | None = None
) -> tuple[Plan, np.random.Generator]:
    """The plan of a run and the random generator (seeded once from --seed) that continues through it."""
    label, multiplier = parse_scale(scale)
    default = SMALL_YEARS if label == "small" else NATIONAL_YEARS
    # one year given: keep the default for the other unless that would leave an empty range
    if start_year is None:
        start_year = default[0] if end_year is None else min(default[0], end_year)
    if end_year is None:
        end_year = max(default[1], start_year)
    if start_year > end_year:
        raise UserInputError(f"--start-year {start_year} is after --end-year {end_year}")
    for year in (start_year, end_year):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise UserInputError(f"financial years must be between {FIRST_YEAR} and {LAST_YEAR}, not {year}")
    rng = np.random.default_rng(seed)
    months = month_starts(start_year, end_year)
    all_forces = forces.all_forces()
    abbr = abbreviations(all_forces)

    # Shares of national detentions: population x force-level variation; BTP a fixed small share.
    variation = rng.lognormal(0.0, cal.FORCE_VOLUME_SIGMA, len(all_forces))
    pops = np.array([f.population or 0 for f in all_forces], dtype=float) * variation
    territorial = pops / pops.sum() * (1.0 - cal.BTP_SHARE)
    weights = np.where([f.code == "BTP" for f in all_forces], cal.BTP_SHARE, territorial)
    consult = np.clip(rng.normal(cal.CONSULT_YES_AFTER_PCA, 0.05, len(all_forces)), 0.45, 0.62)
    plans = {
        f.code: ForcePlan(force=f, abbr=abbr[f.code], weight=float(w), consult_yes=float(c))
        for f, w, c in zip(all_forces, weights, consult, strict=True)
    }

    run_codes = list(SMALL_FORCES) if label == "small" else [f.code for f in all_forces]
    interventions = _plant(rng, plans, run_codes, months, small=label == "small")
    _expected_volumes(plans, months, multiplier)
    plan = Plan(
        scale_label=label,
        multiplier=multiplier,
        seed=seed,
        start_year=start_year,
        end_year=end_year,
        months=months,
        forces=[plans[c] for c in run_codes],
        interventions=interventions,
    )
    return plan, rng


def _plant(
    rng: np.random.Generator, plans: dict[str, ForcePlan], run_codes: list[str], months: np.ndarray, small: bool
) -> list[Intervention]:
    """Choose the triage and placement forces and their start dates; street-triage steps drawn here."""
    territorial = [c for c in run_codes if c != "BTP"]
    if small:
        triage_codes, placement_codes = [SMALL_TRIAGE_FORCE], [SHEFFIELD_FORCE]
    else:
        others = [c for c in territorial if c not in (SMALL_TRIAGE_FORCE, SHEFFIELD_FORCE, "E23000034")]
        picked = [str(c) for c in rng.permutation(others)]
        n_triage = max(1, round(TRIAGE_SHARE_OF_FORCES * len(territorial)))
        triage_codes = [SMALL_TRIAGE_FORCE, *picked[: n_triage - 1]]
        placement_codes = [SHEFFIELD_FORCE, *picked[n_triage - 1 : n_triage - 2 + N_PLACEMENT_FORCES]]
    out: list[Intervention] = []
    for code in triage_codes:
        start = _start_month(rng, months)
        effect = round(float(rng.uniform(0.20, 0.35)), 3)
        if start is None:
            continue
        fp = plans[code]
        fp.triage_contact_rate = float(rng.uniform(2.0, 3.5))
        fp.triage = Intervention(
            intervention_id=f"DEMO-ST-{fp.abbr}",
            force=code,
            type="street_triage",
            name=f"Street triage ({fp.force.name})",
            start=start.astype("datetime64[D]"),
            description=(
                "Planted by the demo generator: mental-health practitioners advise officers; s136 detentions "
                f"step down by {effect:.1%} from the start date."
            ),
            kpi_id="s136_detentions",
            effect=effect,
        )
        out.append(fp.triage)
    for code in placement_codes:
        fp = plans[code]
        if code == SHEFFIELD_FORCE and _fits(months, SHEFFIELD_START):
            start = SHEFFIELD_START
        else:
            month = _start_month(rng, months)
            if month is None:
                continue
            start = _first_monday(month)
        fp.placements = Intervention(
            intervention_id=f"DEMO-OP-{fp.abbr}",
            force=code,
            type="officer_placements",
            name=f"Student officer placements in mental-health services ({fp.force.name})",
            start=start,
            description=(
                "Planted by the demo generator (Sheffield model): two-week placements, a community week then a "
                "ward week; officers who complete one consult a health professional more and use police "
                "stations less."
            ),
            kpi_id="consulted_hp_pct",
        )
        out.append(fp.placements)
    return sorted(out, key=lambda i: i.intervention_id)


def _expected_volumes(plans: dict[str, ForcePlan], months: np.ndarray, multiplier: float) -> None:
    """Fill each force's expected monthly s136 (with effects) and counterfactual, national totals on target."""
    calendar_month = (months.astype(int) % 12).astype(int)  # 0 = January
    season = cal.SEASONALITY[calendar_month]
    fy = months.astype("datetime64[Y]").astype(int) + 1970 - (calendar_month < 3)
    steps = {}
    for code, fp in plans.items():
        step = np.ones(len(months))
        if fp.triage is not None:
            step[months >= fp.triage.start.astype("datetime64[M]")] = 1.0 - fp.triage.effect
        steps[code] = step
    weights = np.array([fp.weight for fp in plans.values()])
    stacked = np.vstack(list(steps.values()))  # forces x months
    for year in np.unique(fy):
        in_year = fy == year
        seasonal = season[in_year] / season[in_year].sum()
        # national expected with effects, per unit of the national target, for this year's months
        achieved = float((weights[:, None] * stacked[:, in_year] * seasonal[None, :]).sum())
        rescale = cal.by_year(cal.NATIONAL_DETENTIONS, int(year)) / achieved * multiplier
        for code, fp in plans.items():
            if fp.monthly.size == 0:
                fp.monthly = np.zeros(len(months))
                fp.counterfactual = np.zeros(len(months))
            cf = fp.weight * seasonal * rescale
            fp.counterfactual[in_year] = cf
            fp.monthly[in_year] = cf * steps[code][in_year]
