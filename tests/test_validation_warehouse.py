"""A small, hand-made build warehouse that validates clean, and the tests that it does.

The defect tests (test_validation_defects.py) and the publish tests copy it and plant one defect each, so a
failure can only come from the planted defect. Numbers are small enough to check by eye:

    force A (South Yorkshire) s136 detentions: Apr 2023: 2, May: 0, Jun: 1
    force B (Humberside):                        Apr 2023: 1, May: 1, Jun: 1
    England and Wales:                           Apr 2023: 3, May: 1, Jun: 2
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from concordat.paths import SEEDS_DIR
from concordat.pseudonymise import pseudonym
from expectations.validate import validate
from ingest.schema import ensure_raw_tables

FORCE_A, FORCE_B = "E23000011", "E23000012"
KPI_SEED = SEEDS_DIR / "kpi_definitions.csv"
KEY = b"test-key"
MONTHS = (date(2023, 4, 1), date(2023, 5, 1), date(2023, 6, 1))
#: (force, detention_id, detained_at, person, officer)
DETENTIONS = (
    (FORCE_A, "SY-1", datetime(2023, 4, 3, 10, 0), "p1", "o1"),
    (FORCE_A, "SY-2", datetime(2023, 4, 20, 22, 15), "p2", "o1"),
    (FORCE_A, "SY-3", datetime(2023, 6, 9, 1, 30), "p1", "o2"),
    (FORCE_B, "HB-1", datetime(2023, 4, 11, 14, 0), "p3", "o3"),
    (FORCE_B, "HB-2", datetime(2023, 5, 17, 9, 45), None, "o3"),
    (FORCE_B, "HB-3", datetime(2023, 6, 30, 23, 59), "p4", None),
)
MONTHLY = {FORCE_A: (2, 0, 1), FORCE_B: (1, 1, 1), "EW": (3, 1, 2)}
SHA = "ab" * 32

KPI_VALUES_DDL = """
create table marts.kpi_values (
    kpi_id varchar, area_code varchar, segment varchar, period_grain varchar, period_start date,
    period_label varchar, numerator double, denominator double, value double, unit varchar,
    ci_lower double, ci_upper double, is_suppressed boolean
)
"""


def _raw(con: duckdb.DuckDBPyConnection) -> None:
    ensure_raw_tables(con)
    for i, (force, det_id, at, person, officer) in enumerate(DETENTIONS, 1):
        con.execute(
            """
            insert into raw.s136 (detention_id, force, detained_at, section, person_id, officer_id, age, age_band,
                sex, ethnicity, first_place_of_safety, released_at, outcome,
                source_file, source_file_sha256, source_row_number, loaded_at)
            values (?, ?, ?, '136', ?, ?, 34, '18 and over', 'Female', 'White', 'Health-based place of safety',
                ? + interval 6 hour, 'Admitted informally', 's136.csv', ?, ?, ?)
            """,
            [det_id, force, at, pseudonym(person, KEY), pseudonym(officer, KEY), at, SHA, i, datetime(2023, 7, 1)],
        )
    con.execute(
        """
        insert into raw.ingest_log values ('a1', 's136', 's136.csv', ?, ?, ?, 'loaded', 6, 6, 0, 0, 0, '[]', null, null)
        """,
        [SHA, datetime(2023, 7, 1, 9), datetime(2023, 7, 1, 9, 1)],
    )


def _kpi(kpi_id, area, grain, start, label, num, den, value, unit, lo, hi, suppressed) -> tuple:
    return (kpi_id, area, "all", grain, start, label, num, den, value, unit, lo, hi, suppressed)


#: Exact Poisson 95% limits for 0..3 events (Garwood), rounded outward.
POISSON = {0: (0.0, 3.689), 1: (0.025, 5.572), 2: (0.242, 7.225), 3: (0.619, 8.768)}


def _kpi_rows() -> list[tuple]:
    rows = [
        _kpi("s136_detentions", area, "month", m, f"{m:%Y-%m}", n, None, n, "count", *POISSON[n], 0 < n < 5)
        for area, counts in MONTHLY.items()
        for m, n in zip(MONTHS, counts, strict=True)
    ]
    return [
        *rows,
        # 1 of 3 detentions in April (EW) went to a police station: suppressed (numerator 1).
        _kpi("pos_police_station_pct", "EW", "month", MONTHS[0], "2023-04", 1, 3, 33.33, "percent", 6.15, 79.23, True),
        # 0 of 1 in June: Wilson's lower limit in floating point lands a rounding error above 0, within tolerance.
        _kpi("pos_police_station_pct", "EW", "month", MONTHS[2], "2023-06", 0, 1, 0.0, "percent", 2e-15, 79.35, True),
        _kpi(
            "s136_detentions",
            "EW",
            "financial_year",
            date(2023, 4, 1),
            "2023/24",
            6,
            None,
            6,
            "count",
            2.2,
            13.06,
            False,
        ),
    ]


def _marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts")
    con.execute(KPI_VALUES_DDL)
    con.executemany("insert into marts.kpi_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _kpi_rows())
    con.execute(
        "create table marts.fct_s136_detentions as select force as force_code, detention_id, detained_at, section, "
        "person_id, officer_id from raw.s136"
    )
    # The KPI catalogue, from the dbt seed (one copy of the definitions).
    con.execute("create table marts.dim_kpi as select * from read_csv(?, header = true)", [str(KPI_SEED)])
    con.execute("create table marts.dim_area (area_code varchar, area_type varchar, parent_area_code varchar)")
    con.execute(
        "insert into marts.dim_area values (?, 'force', 'E12000003'), (?, 'force', 'E12000003'), "
        "('E12000003', 'region', 'EW'), ('EW', 'national', null)",
        [FORCE_A, FORCE_B],
    )
    con.execute(
        "create table marts.published_s136 (financial_year varchar, area_code varchar, measure varchar, "
        "category varchar, source varchar, count bigint, is_suppressed boolean)"
    )
    con.executemany(
        "insert into marts.published_s136 values ('2023/24', ?, 'detentions', 'All', ?, ?, ?)",
        [
            ("EW", "ho_s136", 7, False),
            ("EW", "record_level", 6, False),
            (FORCE_A, "record_level", 3, True),
            (FORCE_B, "record_level", 3, True),
        ],
    )
    con.execute(
        "create table marts.build_runs (build_id varchar, started_at timestamp, finished_at timestamp, "
        "success boolean, full_refresh boolean)"
    )
    con.execute("insert into marts.build_runs values ('b1', '2023-07-01 10:00', '2023-07-01 10:05', true, false)")


def make_clean_warehouse(path: Path) -> Path:
    """Write the clean warehouse to `path` (a .duckdb file) and return it."""
    con = duckdb.connect(str(path))
    try:
        _raw(con)
        _marts(con)
    finally:
        con.close()
    return path


def install(source: Path, home: Path) -> Path:
    """Copy a warehouse file into a CONCORDAT_HOME as its build warehouse."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "warehouse.duckdb"
    shutil.copyfile(source, target)
    return target


# --- the clean warehouse validates clean -----------------------------------------------------------------


def test_the_clean_warehouse_passes_every_critical_check(
    clean_warehouse_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path))
    warehouse = install(clean_warehouse_file, tmp_path)
    run = validate(warehouse)
    critical = [r for r in run.results if r.severity == "critical" and not r.success]
    assert critical == []
    assert run.success
    # Every suite ran, and stored one row per check, with the build fingerprint.
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (runs, success, fingerprint, critical_failed) = con.execute(
            "select count(*), bool_and(success), any_value(fingerprint), sum(critical_failed) from marts.dq_runs"
        ).fetchone()
        stored = con.execute("select count(*), count(distinct suite) from marts.dq_results").fetchone()
        columns = [r[0] for r in con.execute("describe marts.dq_results").fetchall()]
    finally:
        con.close()
    assert (runs, success, critical_failed) == (1, True, 0)
    assert fingerprint == run.fingerprint
    assert stored == (len(run.results), len({r.suite for r in run.results}))
    assert columns == [
        "run_id",
        "suite",
        "expectation",
        "table_name",
        "column_name",
        "severity",
        "success",
        "observed_value",
        "run_at",
    ]
    assert (tmp_path / "data_docs" / "index.html").exists()


def test_validate_command_prints_a_summary_and_json(
    clean_warehouse_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from concordat.cli import main

    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path))
    install(clean_warehouse_file, tmp_path)
    assert main(["validate"]) == 0
    text = capsys.readouterr().out
    assert "PASSED" in text and "marts_kpi_values" in text and "privacy" in text
    assert main(["validate", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["success"] is True and summary["critical_failed"] == 0
    assert {"raw_s136", "reconcile_ingest_log", "marts_kpi_values", "privacy"} <= set(summary["suites"])


def test_validate_without_a_warehouse_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from concordat.cli import main

    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path))
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert "no build warehouse" in err and "Traceback" not in err
