"""End to end: the `small` demo is generated, ingested and built with the real CLI (conftest's small_built_home);
KPI values in marts.kpi_values are checked against values computed here, independently, in pandas from the
generated files (the rows ingest quarantines are dropped by the contract's own rules, not by reading the
warehouse)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from concordat.contracts import CONTRACTS, PLACES_OF_SAFETY
from concordat.forces import all_forces

pytestmark = pytest.mark.slow

POPULATION = {f.code: f.population for f in all_forces()}


def _fy(ts: pd.Series) -> pd.Series:
    """`2023/24` for each timestamp (UK financial year from 1 April)."""
    start = ts.dt.year - (ts.dt.month < 4).astype(int)
    return start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)


def _utc(local: pd.Series) -> pd.Series:
    """UK local times (as stored) as the instants they were. As DuckDB's time zone conversion does, the hour that
    comes twice when the clocks go back is the second (GMT), and one skipped when they go forward is read as GMT."""
    return local.dt.tz_localize("Europe/London", ambiguous=False, nonexistent=pd.Timedelta(hours=1))


def _dt(values: pd.Series) -> pd.Series:
    """ISO 8601 or UK dd/mm/yyyy [HH:MM] (the contract's date forms); anything else NaT."""
    values = values.replace("", None)
    out = pd.to_datetime(values, format="ISO8601", errors="coerce")
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        out = out.fillna(pd.to_datetime(values, format=fmt, errors="coerce"))
    return out


@pytest.fixture(scope="module")
def detentions(small_demo_dir: Path) -> pd.DataFrame:
    """Valid s136 detentions (section 136) from s136.csv, dropping what the contract rejects."""
    df = pd.read_csv(small_demo_dir / "s136.csv", dtype=str, keep_default_na=False)
    df["row"] = range(len(df))
    df = df[df.detention_id.str.strip() != ""]
    for col in ("detained_at", "arrived_pos_at", "released_at"):
        df[col] = _dt(df[col])
    df = df[df.detained_at.notna()]
    contract = CONTRACTS["s136"]
    for col in contract.columns:
        if col.type == "category":
            df = df[df[col.name].isin((*col.categories, ""))]
    df = df[df.released_at.isna() | (df.released_at >= df.detained_at)]
    df = df[df.arrived_pos_at.isna() | (df.arrived_pos_at >= df.detained_at)]
    df = df.drop_duplicates(["force", "detention_id"], keep="first")
    df["section"] = df.section.replace("", "136")
    df = df[df.section == "136"].copy()
    df["fy"] = _fy(df.detained_at)
    return df


@pytest.fixture(scope="module")
def placements(small_demo_dir: Path) -> pd.DataFrame:
    df = pd.read_excel(small_demo_dir / "placements.xlsx", header=1, dtype={"officer_id": str})
    df["end_date"] = pd.to_datetime(df.end_date, errors="coerce")
    df["start_date"] = pd.to_datetime(df.start_date, errors="coerce")
    return df[df.start_date.notna() & df.status.isin(CONTRACTS["placements"].column("status").categories)]


@pytest.fixture(scope="module")
def con(small_built_home: Path):
    connection = duckdb.connect(str(small_built_home / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


def kpi_frame(con: duckdb.DuckDBPyConnection, kpi_id: str, grain: str = "financial_year", segment: str = "all"):
    return con.execute(
        "select area_code, period_label, numerator, denominator, value, is_suppressed from marts.kpi_values "
        "where kpi_id = ? and period_grain = ? and segment = ?",
        [kpi_id, grain, segment],
    ).df()


def _by_force_fy(frame: pd.DataFrame) -> dict[tuple[str, str], tuple]:
    return {(r.area_code, r.period_label): r for r in frame.itertuples()}


def test_detention_counts_and_rates_match_the_files(con, detentions: pd.DataFrame) -> None:
    expected = detentions.groupby(["force", "fy"]).size()
    got = _by_force_fy(kpi_frame(con, "s136_detentions"))
    assert len(expected) > 0
    for (force, fy), n in expected.items():
        assert got[(force, fy)].numerator == n, (force, fy)
    national = detentions.groupby("fy").size()
    for fy, n in national.items():
        assert got[("EW", fy)].numerator == n
    rates = _by_force_fy(kpi_frame(con, "s136_rate_per_100k"))
    for (force, fy), n in expected.items():
        assert rates[(force, fy)].value == pytest.approx(n * 100_000 / POPULATION[force])


def test_every_month_of_the_coverage_has_a_row(con, detentions: pd.DataFrame) -> None:
    months = pd.period_range(detentions.detained_at.min(), detentions.detained_at.max(), freq="M")
    frame = kpi_frame(con, "s136_detentions", grain="month")
    for force in detentions.force.unique():
        rows = frame[frame.area_code == force]
        assert sorted(rows.period_label) == [str(m) for m in months]
    monthly = detentions.groupby(["force", detentions.detained_at.dt.strftime("%Y-%m")]).size()
    got = _by_force_fy(frame)
    for (force, month), n in monthly.items():
        assert got[(force, month)].numerator == n


def test_place_of_safety_duration_and_repeat_kpis_match(con, detentions: pd.DataFrame) -> None:
    known = detentions[detentions.first_place_of_safety.isin([p for p in PLACES_OF_SAFETY if p != "Not known"])]
    num = known[known.first_place_of_safety == "Police station"].groupby(["force", "fy"]).size()
    den = known.groupby(["force", "fy"]).size()
    got = _by_force_fy(kpi_frame(con, "pos_police_station_pct"))
    for key, d in den.items():
        assert (got[key].numerator, got[key].denominator) == (num.get(key, 0), d)

    # from arrival; from detention only when not moved; moved with no arrival time: unknown
    not_moved = detentions.transport == "None (already at place of safety)"
    start = detentions.arrived_pos_at.fillna(detentions.detained_at.where(not_moved))
    hours = (_utc(detentions.released_at) - _utc(start)).dt.total_seconds() / 3600  # time passed, over clock changes
    medians = hours.groupby([detentions.force, detentions.fy]).median().dropna()
    got = _by_force_fy(kpi_frame(con, "detention_median_hours"))
    for key, m in medians.items():
        assert got[key].value == pytest.approx(m)

    with_person = detentions[detentions.person_id != ""].sort_values("detained_at")
    days = with_person.detained_at.dt.normalize()
    repeat = pd.Series(False, index=with_person.index)
    for _, idx in with_person.groupby("person_id").groups.items():
        d = days.loc[idx].sort_values()
        for i, (row, day) in enumerate(d.items()):
            repeat[row] = int(((day - d.iloc[: i + 1]).dt.days <= 365).sum()) >= 3
    num = repeat.groupby([with_person.force, with_person.fy]).sum()
    den = with_person.groupby(["force", "fy"]).size()
    got = _by_force_fy(kpi_frame(con, "repeat_detention_pct"))
    for key, d in den.items():
        assert (got[key].numerator, got[key].denominator) == (num.get(key, 0), d), key


def test_officer_placed_segment_matches_and_shows_the_planted_effect(
    con, detentions: pd.DataFrame, placements: pd.DataFrame
) -> None:
    completed = placements[(placements.status == "Completed") & placements.end_date.notna()]
    first_done = completed.groupby(["force", "officer_id"]).end_date.min()
    officer = detentions[detentions.officer_id != ""]
    done = [first_done.get((f, o)) for f, o in zip(officer.force, officer.officer_id, strict=True)]
    done = pd.Series(pd.to_datetime(done), index=officer.index)
    placed = done.notna() & (done < officer.detained_at.dt.normalize())
    eligible = officer.consulted_health_professional.isin(["Yes", "No", "Not practicable"])
    yes = officer.consulted_health_professional == "Yes"
    for segment, mask in (("officer_placed", placed), ("officer_not_placed", ~placed)):
        frame = kpi_frame(con, "consulted_hp_pct", segment=segment)
        got = _by_force_fy(frame)
        den = (eligible & mask).groupby([officer.force, officer.fy]).sum()
        num = (yes & eligible & mask).groupby([officer.force, officer.fy]).sum()
        for key, d in den.items():
            if d:
                assert (got[key].numerator, got[key].denominator) == (num[key], d), (segment, key)
    # the demo plants a higher consultation rate for placed officers: it shows over the whole period
    totals = con.execute(
        "select segment, sum(numerator) * 100.0 / sum(denominator) from marts.kpi_values "
        "where kpi_id = 'consulted_hp_pct' and area_code = 'EW' and period_grain = 'financial_year' "
        "and segment in ('officer_placed', 'officer_not_placed') group by segment"
    ).fetchall()
    pct = dict(totals)
    assert pct["officer_placed"] > pct["officer_not_placed"] + 5


def test_triage_and_custody_counts_match(con, small_demo_dir: Path) -> None:
    for source, key, when, kpi_id in (
        ("triage", "contact_id", "contact_at", "triage_contacts"),
        ("custody", "custody_record_id", "arrived_at", "custody_pos_episodes"),
    ):
        df = pd.read_csv(small_demo_dir / f"{source}.csv", dtype=str, keep_default_na=False)
        df = df[df[key].str.strip() != ""]
        df[when] = _dt(df[when])
        df = df[df[when].notna()]
        for col in CONTRACTS[source].columns:
            if col.type == "category":
                df = df[df[col.name].isin((*col.categories, ""))]
        df = df.drop_duplicates(["force", key])
        expected = df.groupby(["force", _fy(df[when])]).size()
        got = _by_force_fy(kpi_frame(con, kpi_id))
        assert len(expected) > 0
        for k, n in expected.items():
            assert got[k].numerator == n, (kpi_id, k)


def test_planted_interventions_reach_the_register(con, small_demo_dir: Path) -> None:
    planted = pd.read_csv(small_demo_dir / "interventions.csv", dtype=str)
    got = con.execute("select intervention_id, kpi_id from marts.dim_intervention where origin = 'planted'").fetchall()
    assert sorted(got) == sorted(zip(planted.intervention_id, planted.kpi_id, strict=True))


def test_suppression_flags_every_small_count(con) -> None:
    frame = con.execute(
        "select numerator, is_suppressed from marts.kpi_values where unit = 'count' and segment = 'all'"
    ).df()
    small = frame.numerator.between(1, 4)
    assert small.any() and frame[small].is_suppressed.all()
    assert not frame[frame.numerator == 0].is_suppressed.any()
    assert np.isfinite(frame.numerator).all()
