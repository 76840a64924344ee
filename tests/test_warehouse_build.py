"""`concordat build` on hand-made raw rows: real DuckDB, real dbt; values checked against hand-worked numbers.

The rows are typed straight into raw.* (the ingest layer's output format) so these tests need neither the demo
generator nor the loader. The end-to-end test on generated demo data is in test_warehouse_e2e.py.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from scipy.stats import chi2

from concordat import build, paths
from concordat.contracts import CONTRACTS
from concordat.errors import InternalError
from ingest.schema import ensure_raw_tables

SY, HU, BTP = "E23000011", "E23000012", "BTP"  # South Yorkshire, Humberside (both region E12000003), BTP
SY_POP, HU_POP = 1_400_000, 940_000
Z = 1.959963985


def insert(con: duckdb.DuckDBPyConnection, source: str, rows: list[dict]) -> None:
    """Append rows to raw.<source> as ingest would (unnamed columns NULL, lineage filled in)."""
    columns = [name for name, _ in CONTRACTS[source].raw_table_columns()]
    for i, row in enumerate(rows, start=1):
        full = {**row, "source_file": "hand.csv", "source_row_number": i, "loaded_at": datetime.now()}
        unknown = set(full) - set(columns)
        assert not unknown, f"not columns of raw.{source}: {unknown}"
        values = [full.get(c) for c in columns]
        con.execute(f"INSERT INTO raw.{source} VALUES ({', '.join('?' * len(columns))})", values)


def detention(force: str, n: int | str, detained_at: str, **kw: object) -> dict:
    base = {
        "detention_id": n if isinstance(n, str) else f"D{n}",
        "force": force,
        "detained_at": datetime.fromisoformat(detained_at),
        "section": "136",
        "age_band": "18 and over",
        "sex": "Male",
        "ethnicity": "White",
        "consulted_health_professional": "Yes",
        "transport": "Ambulance",
        "first_place_of_safety": "Health-based place of safety",
        "outcome": "Admitted informally",
    }
    base.update(kw)
    for key in ("arrived_pos_at", "released_at"):
        if isinstance(base.get(key), str):
            base[key] = datetime.fromisoformat(base[key])
    return base


def hand_rows() -> dict[str, list[dict]]:
    """A small world: SY has s136 detentions in March, April and June 2023 (May none: an explicit zero), HU one in
    April, BTP six in 2021-22 for the repeat window; SY officers o1..o4 on placements in one service."""
    s136 = [
        # SY, March 2023 (FY 2022/23): a detention spanning midnight at the month end, 6.5 hours
        detention(
            SY,
            1,
            "2023-03-31T21:00",
            arrived_pos_at="2023-03-31T22:00",
            released_at="2023-04-01T04:30",
            officer_id="o1",
            person_id="p1",
            first_place_of_safety="Police station",
            age_band="Under 18",
        ),
        # SY, 1 April 2023: FY 2023/24; officer o1 placed (completed 2023-03-31, the day before)
        detention(SY, 2, "2023-04-01T10:00", released_at="2023-04-02T12:00", officer_id="o1", person_id="p1"),
        # SY, April: officer o2 completes on 2023-04-16, the day after this detention: not placed
        detention(SY, 3, "2023-04-15T10:00", officer_id="o2", consulted_health_professional="No", person_id="p2"),
        # SY, April: a section 135 detention is not an s136 detention
        detention(SY, 4, "2023-04-20T10:00", section="135(1)", officer_id="o1"),
        # SY, June 2023 (May has none: an explicit zero)
        detention(SY, 5, "2023-06-03T10:00", officer_id="o2", person_id="p1", first_place_of_safety="Not known"),
        # HU, April 2023
        detention(HU, 1, "2023-04-10T08:00", consulted_health_professional="Not practicable"),
        # BTP: person a's 3rd detention is exactly 365 calendar days after the first; person b's is 366 days after
        detention(BTP, "R1", "2021-04-01T23:00", person_id="a"),
        detention(BTP, "R2", "2021-10-01T10:00", person_id="a"),
        detention(BTP, "R3", "2022-04-01T01:00", person_id="a"),
        detention(BTP, "R4", "2021-04-01T10:00", person_id="b"),
        detention(BTP, "R5", "2021-10-01T10:00", person_id="b"),
        detention(BTP, "R6", "2022-04-02T10:00", person_id="b"),
    ]
    placements = [
        {
            "placement_id": "P1",
            "officer_id": "o1",
            "force": SY,
            "service": "Ward A",
            "start_date": date(2023, 3, 18),
            "end_date": date(2023, 3, 31),
            "status": "Completed",
            "confidence_pre": 2,
            "confidence_post": 4,
        },
        {
            "placement_id": "P2",
            "officer_id": "o2",
            "force": SY,
            "service": "Ward A",
            "start_date": date(2023, 4, 3),
            "end_date": date(2023, 4, 16),
            "status": "Completed",
            "confidence_pre": 3,
            "confidence_post": 4,
        },
        {
            "placement_id": "P3",
            "officer_id": "o3",
            "force": SY,
            "service": "Ward A",
            "start_date": date(2023, 4, 10),
            "end_date": date(2023, 4, 12),
            "status": "In progress",
        },
        {
            "placement_id": "P4",
            "officer_id": "o4",
            "force": SY,
            "service": "Ward A",
            "start_date": date(2023, 4, 12),
            "end_date": date(2023, 4, 13),
            "status": "Completed",
        },
    ]
    return {"s136": s136, "placements": placements}


def load(rows: dict[str, list[dict]]) -> Path:
    warehouse = paths.build_warehouse()
    con = duckdb.connect(str(warehouse))
    try:
        ensure_raw_tables(con)
        for source, source_rows in rows.items():
            insert(con, source, source_rows)
    finally:
        con.close()
    return warehouse


def run_build(full_refresh: bool = False) -> int:
    return build.run(argparse.Namespace(command="build", full_refresh=full_refresh))


def kpi(con: duckdb.DuckDBPyConnection, kpi_id: str, area: str, grain: str, start: str, segment: str = "all"):
    row = con.execute(
        "select numerator, denominator, value, ci_lower, ci_upper, is_suppressed, period_label, unit "
        "from marts.kpi_values where kpi_id = ? and area_code = ? and period_grain = ? and period_start = ? "
        "and segment = ?",
        [kpi_id, area, grain, date.fromisoformat(start), segment],
    ).fetchone()
    assert row is not None, f"no kpi_values row for {kpi_id} {area} {grain} {start} {segment}"
    return dict(zip(("num", "den", "value", "lo", "hi", "suppressed", "label", "unit"), row, strict=True))


@contextmanager
def home_at(path: Path) -> Iterator[None]:
    """CONCORDAT_HOME = path for a module-scoped fixture (monkeypatch is function-scoped)."""
    old = os.environ.get("CONCORDAT_HOME")
    os.environ["CONCORDAT_HOME"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CONCORDAT_HOME", None)
        else:
            os.environ["CONCORDAT_HOME"] = old


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("hand-home")
    with home_at(home):
        load(hand_rows())
        assert run_build() == 0
    return home / "warehouse.duckdb"


@pytest.fixture()
def hand_con(hand_warehouse: Path):
    con = duckdb.connect(str(hand_warehouse), read_only=True)
    yield con
    con.close()


def test_build_on_empty_raw_tables_releases_the_file_and_records_the_run(capsys: pytest.CaptureFixture) -> None:
    assert run_build() == 0
    out = capsys.readouterr().out
    assert "dbt build succeeded" in out and "models" in out and "tests" in out
    con = duckdb.connect(str(paths.build_warehouse()))  # read-write: fails if dbt still held the file
    try:
        schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
        assert {"raw", "staging", "intermediate", "marts"} <= schemas
        assert not {s for s in schemas if s.endswith(("_staging", "_marts", "_intermediate", "_raw"))}
        runs = con.execute("select success, full_refresh, finished_at >= started_at from marts.build_runs").fetchall()
        assert runs == [(True, False, True)]
        assert con.execute("select count(*) from marts.kpi_values").fetchone() == (0,)
    finally:
        con.close()


def test_every_catalogue_kpi_is_computed(hand_con: duckdb.DuckDBPyConnection) -> None:
    """All KPIs of the seed whose source has data appear; the catalogue has every KPI of docs/specs/kpis.md."""
    spec = (paths.PROJECT_ROOT / "docs" / "specs" / "kpis.md").read_text()
    seed = {r[0] for r in hand_con.execute("select kpi_id from marts.dim_kpi").fetchall()}
    for kpi_id in seed:
        assert f"| {kpi_id}" in spec or kpi_id in spec, kpi_id
    computed = {
        r[0]
        for r in hand_con.execute("select distinct kpi_id from marts.kpi_values where area_code = ?", [SY]).fetchall()
    }
    sources = dict(hand_con.execute("select kpi_id, source from raw.kpi_definitions").fetchall())
    assert computed == {k for k, s in sources.items() if s in ("s136", "placements")}


def test_counts_have_explicit_zero_months_and_fy_boundary(hand_con: duckdb.DuckDBPyConnection) -> None:
    assert kpi(hand_con, "s136_detentions", SY, "month", "2023-03-01")["num"] == 1
    may = kpi(hand_con, "s136_detentions", SY, "month", "2023-05-01")
    assert (may["num"], may["value"], may["label"]) == (0, 0.0, "2023-05")
    assert may["lo"] == 0.0 and may["hi"] == pytest.approx(chi2.ppf(0.975, 2) / 2)
    # HU has no detention in March: still a zero row, as the s136 data covers March for every loaded force
    assert kpi(hand_con, "s136_detentions", HU, "month", "2023-03-01")["num"] == 0
    # 31 March (FY 2022/23) vs 1 April (FY 2023/24); section 135 excluded
    fy22 = kpi(hand_con, "s136_detentions", SY, "financial_year", "2022-04-01")
    fy23 = kpi(hand_con, "s136_detentions", SY, "financial_year", "2023-04-01")
    assert (fy22["num"], fy22["label"], fy23["num"], fy23["label"]) == (1, "2022/23", 3, "2023/24")
    q1 = kpi(hand_con, "s136_detentions", SY, "quarter", "2023-04-01")
    assert (q1["num"], q1["label"]) == (3, "Q1 2023/24")
    assert kpi(hand_con, "s136_detentions", "E12000003", "quarter", "2023-04-01")["num"] == 4
    assert kpi(hand_con, "s136_detentions", "EW", "financial_year", "2023-04-01")["num"] == 4


def test_rates_use_population_of_loaded_forces(hand_con: duckdb.DuckDBPyConnection) -> None:
    sy = kpi(hand_con, "s136_rate_per_100k", SY, "quarter", "2023-04-01")
    assert sy["den"] == SY_POP and sy["value"] == pytest.approx(3 * 100_000 / SY_POP)
    assert sy["lo"] == pytest.approx(chi2.ppf(0.025, 6) / 2 * 100_000 / SY_POP)
    region = kpi(hand_con, "s136_rate_per_100k", "E12000003", "quarter", "2023-04-01")
    assert region["den"] == SY_POP + HU_POP and region["value"] == pytest.approx(4 * 100_000 / (SY_POP + HU_POP))


def test_officer_placed_segment_and_durations(hand_con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        hand_con.execute(
            "select detention_id, is_officer_placed from marts.fct_s136_detentions where area_code = ?", [SY]
        ).fetchall()
    )
    # D2: o1 completed the day before -> placed; D3: o2 completes the day after -> not placed
    assert rows["D2"] is True and rows["D3"] is False and rows["D5"] is True
    hours = hand_con.execute(
        "select duration_hours, month_start from marts.fct_s136_detentions where area_code = ? and detention_id = 'D1'",
        [SY],
    ).fetchone()
    assert hours == (6.5, date(2023, 3, 1))  # arrival 22:00 -> release 04:30 next month: counted in March
    placed = kpi(hand_con, "consulted_hp_pct", SY, "quarter", "2023-04-01", "officer_placed")
    not_placed = kpi(hand_con, "consulted_hp_pct", SY, "quarter", "2023-04-01", "officer_not_placed")
    # placed: D2 and D5 (o2 placed by June), both Yes; not placed: D3, No
    assert (placed["num"], placed["den"], not_placed["num"], not_placed["den"]) == (2, 2, 0, 1)


def test_percent_intervals_are_wilson_and_small_counts_suppressed(hand_con: duckdb.DuckDBPyConnection) -> None:
    row = kpi(hand_con, "consulted_hp_pct", SY, "financial_year", "2023-04-01")
    # D2 Yes, D3 No, D5 Yes (section 135 D4 excluded): 2 / 3
    assert (row["num"], row["den"], row["unit"]) == (2, 3, "percent")
    n, p = 3, 2 / 3
    centre, half = p + Z * Z / (2 * n), Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    assert row["lo"] == pytest.approx(100 * (centre - half) / (1 + Z * Z / n))
    assert row["hi"] == pytest.approx(100 * (centre + half) / (1 + Z * Z / n))
    assert row["suppressed"] is True  # numerator 2 and denominator 3 are below 5
    assert kpi(hand_con, "s136_detentions", SY, "month", "2023-05-01")["suppressed"] is False  # zero is shown


def test_placement_kpis(hand_con: duckdb.DuckDBPyConnection) -> None:
    # Ward A on 12 April: o2 (P2), o3 (P3 in progress), o4 (P4): three officers -> one breach day (12th)
    assert kpi(hand_con, "placement_capacity_breaches", SY, "month", "2023-04-01")["num"] == 1
    cumulative = [
        kpi(hand_con, "officers_placed_cumulative", SY, "month", m)["num"] for m in ("2023-03-01", "2023-04-01")
    ]
    assert cumulative == [1, 3]  # o1 in March; o2 and o4 in April
    confidence = kpi(hand_con, "placement_confidence_change", SY, "financial_year", "2023-04-01")
    assert (confidence["value"], confidence["den"], confidence["lo"]) == (1.0, 1, None)


def test_repeat_detention_window_is_inclusive(hand_con: duckdb.DuckDBPyConnection) -> None:
    """A person's 3rd detention exactly 365 days after the first counts as a repeat; 366 days does not."""
    got = dict(
        hand_con.execute(
            "select detention_id, is_repeat_detention from marts.fct_s136_detentions where area_code = ?", [BTP]
        ).fetchall()
    )
    assert got == {"R1": False, "R2": False, "R3": True, "R4": False, "R5": False, "R6": False}
    fy = kpi(hand_con, "repeat_detention_pct", BTP, "financial_year", "2022-04-01")
    assert (fy["num"], fy["den"]) == (1, 2)  # R3 of R3 and R6
    assert kpi(hand_con, "s136_rate_per_100k", BTP, "financial_year", "2022-04-01")["value"] is None


def _snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            table: con.execute(f"select * from {table} order by all").fetchall()
            for table in ("marts.kpi_values", "intermediate.int_placements__officer_days", "marts.published_s136")
        }
    finally:
        con.close()


def test_incremental_build_equals_full_refresh(tmp_path: Path) -> None:
    rows = hand_rows()
    with home_at(tmp_path):
        load({"s136": rows["s136"], "placements": rows["placements"][:2]})
        assert run_build() == 0
        # new and re-loaded placements arrive: the incremental model expands only those
        con = duckdb.connect(str(paths.build_warehouse()))
        try:
            con.execute("delete from raw.placements where placement_id = 'P2'")
            changed = {**rows["placements"][1], "end_date": date(2023, 4, 14)}
            insert(con, "placements", [changed, *rows["placements"][2:]])
        finally:
            con.close()
        assert run_build() == 0
        incremental = _snapshot(paths.build_warehouse())
        assert run_build(full_refresh=True) == 0
        full = _snapshot(paths.build_warehouse())
        con = duckdb.connect(str(paths.build_warehouse()), read_only=True)
        try:
            assert con.execute("select full_refresh from marts.build_runs order by started_at").fetchall() == [
                (False,),
                (False,),
                (True,),
            ]
        finally:
            con.close()
    assert incremental["intermediate.int_placements__officer_days"]
    assert incremental == full


def test_a_warehouse_built_by_an_earlier_release_builds_after_a_seed_gains_a_column(tmp_path: Path) -> None:
    """Seeds are recreated on every build: a seed table from an earlier release (kpi_definitions without a column
    added since) does not stop `concordat build` without --full-refresh."""
    rows = hand_rows()
    with home_at(tmp_path):
        load({"s136": rows["s136"]})
        assert run_build() == 0
        con = duckdb.connect(str(paths.build_warehouse()))
        try:
            con.execute("alter table raw.kpi_definitions drop column spc_rebase_date")
        finally:
            con.close()
        assert run_build() == 0
        con = duckdb.connect(str(paths.build_warehouse()), read_only=True)
        try:
            columns = {r[0] for r in con.execute("describe raw.kpi_definitions").fetchall()}
        finally:
            con.close()
    assert "spc_rebase_date" in columns


def test_failing_dbt_test_gives_one_readable_summary(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rows = [detention(SY, 1, "2023-04-01T10:00"), detention(SY, 1, "2023-04-02T10:00")]  # duplicate key
    with home_at(tmp_path):
        load({"s136": rows})
        with pytest.raises(InternalError, match="dbt build failed"):
            run_build()
        out = capsys.readouterr().out
        assert "dbt build FAILED" in out
        assert "unique_combination_stg_s136__detentions" in out
        con = duckdb.connect(str(paths.build_warehouse()))  # released even after a failure
        try:
            assert con.execute("select success from marts.build_runs").fetchall() == [(False,)]
        finally:
            con.close()


def test_docs_generate_includes_exposures(hand_warehouse: Path) -> None:
    home = hand_warehouse.parent
    outcome = build.invoke_dbt(["docs", "generate"], hand_warehouse, home)
    assert outcome.success, outcome.summary()
    target, _ = build.dbt_dirs(home)
    assert (target / "catalog.json").exists() and (target / "index.html").exists()
    manifest = (target / "manifest.json").read_text()
    for page in ("Overview", "Officer placements", "Published statistics", "Definitions"):
        assert f'"label": "{page}"' in manifest


def test_dbt_unit_tests_pass(hand_warehouse: Path) -> None:
    """The hand-worked dbt unit tests (models/*/_unit_tests.yml): every KPI and the edge cases of the brief."""
    home = hand_warehouse.parent
    outcome = build.invoke_dbt(["test", "--select", "test_type:unit"], hand_warehouse, home)
    assert outcome.success, outcome.summary()
    ran = sum(n for (rtype, _), n in outcome.counts.items() if rtype == "unit_test")
    assert ran >= 12


def test_method_tables_failure_marks_the_build_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fault injected into the method-tables step: the build is recorded as failed and reported in one line."""

    def broken(con: duckdb.DuckDBPyConnection) -> None:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(build, "_method_tables_writer", lambda: broken)
    with pytest.raises(InternalError, match="method tables failed: RuntimeError: injected fault"):
        run_build()
    con = duckdb.connect(str(paths.build_warehouse()))
    try:
        assert con.execute("select success from marts.build_runs").fetchall() == [(False,)]
    finally:
        con.close()
