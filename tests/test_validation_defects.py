"""Each suite catches a planted defect of its kind, and nothing else fails.

Every test copies the clean warehouse of test_validation_warehouse.py (which passes every critical check), plants
defects with SQL, validates, and compares the set of failed checks with exactly the ones the defects should trip.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from test_validation_warehouse import FORCE_A, FORCE_B, install

from concordat.cli import main
from expectations.results import Run
from expectations.validate import validate

NHS_NUMBER = "943 476 5919"  # a valid modulus-11 check digit (the NHS's own example number)


def _planted(clean: Path, home: Path, *statements: str) -> Path:
    warehouse = install(clean, home)
    con = duckdb.connect(str(warehouse))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return warehouse


def _failed(run: Run, severity: str = "critical") -> set[tuple[str, str]]:
    return {(r.suite, r.expectation) for r in run.results if not r.success and r.severity == severity}


def _result(run: Run, suite: str, expectation: str):
    return next(r for r in run.results if r.suite == suite and r.expectation == expectation and not r.success)


#: The clean warehouse has no custody, triage or placement rows: a warning each, in every run.
EMPTY_SOURCES = {(f"raw_{s}", "expect_table_row_count_to_be_between") for s in ("custody", "triage", "placements")}
PERCENT_RANGE = ("marts_kpi_values", 'expect_column_values_to_be_between (where unit == "percent")')
KPI_DUPLICATE = ("marts_kpi_values", "expect_compound_columns_to_be_unique")
NHS_VALUES = ("privacy", "expect_column_values_to_be_between")
MISSING_MONTH = ("marts_kpi_monthly_series", "expect_column_values_to_be_between")
SECONDARY = ("marts_kpi_disclosure", "expect_column_values_to_be_between")
INGEST_COUNT = ("reconcile_ingest_log", 'expect_column_pair_values_to_be_equal (where source == "s136")')


@pytest.mark.parametrize(
    ("defect", "statements", "expected"),
    [
        (
            "a percent of 120",
            ["update marts.kpi_values set value = 120, ci_upper = 125 where kpi_id = 'pos_police_station_pct'"],
            {PERCENT_RANGE},
        ),
        (
            "a duplicate key",
            ["insert into marts.kpi_values select * from marts.kpi_values where kpi_id = 'pos_police_station_pct'"],
            {KPI_DUPLICATE},
        ),
        (
            "an NHS-number-shaped value",
            [f"update raw.s136 set triage_contact_id = '{NHS_NUMBER}' where detention_id = 'SY-1'"],
            {NHS_VALUES},
        ),
        (
            "a missing month",
            [
                f"delete from marts.kpi_values where kpi_id = 's136_detentions' and area_code = '{FORCE_A}' "
                "and period_grain = 'month' and period_start = date '2023-05-01'"
            ],
            {MISSING_MONTH},
        ),
        (
            "a segment recoverable from its total (no secondary suppression)",
            [
                "insert into marts.kpi_values values "
                "('pos_police_station_pct', 'EW', 'all', 'financial_year', date '2023-04-01', '2023/24', "
                "12, 40, 30.0, 'percent', 18.1, 45.4, false), "
                "('pos_police_station_pct', 'EW', 'sex:Female', 'financial_year', date '2023-04-01', '2023/24', "
                "3, 10, 30.0, 'percent', 10.8, 60.3, true), "
                "('pos_police_station_pct', 'EW', 'sex:Male', 'financial_year', date '2023-04-01', '2023/24', "
                "9, 30, 30.0, 'percent', 16.7, 47.9, false)"
            ],
            {SECONDARY},
        ),
        (
            "a force recoverable from England and Wales",
            [
                "insert into marts.kpi_values values "
                "('triage_contacts', 'EW', 'all', 'financial_year', date '2023-04-01', '2023/24', "
                "30, null, 30, 'count', 20.2, 42.8, false), "
                f"('triage_contacts', '{FORCE_A}', 'all', 'financial_year', date '2023-04-01', '2023/24', "
                "3, null, 3, 'count', 0.6, 8.8, true), "
                f"('triage_contacts', '{FORCE_B}', 'all', 'financial_year', date '2023-04-01', '2023/24', "
                "27, null, 27, 'count', 17.8, 39.3, false)"
            ],
            {SECONDARY},
        ),
        (
            "a region recoverable from England and Wales less another region",
            [
                "insert into marts.kpi_values values "
                "('triage_contacts', 'EW', 'all', 'financial_year', date '2022-04-01', '2022/23', "
                "30, null, 30, 'count', 20.2, 42.8, false), "
                "('triage_contacts', 'E12000003', 'all', 'financial_year', date '2022-04-01', '2022/23', "
                "3, null, 3, 'count', 0.6, 8.8, true), "
                "('triage_contacts', 'E12000001', 'all', 'financial_year', date '2022-04-01', '2022/23', "
                "27, null, 27, 'count', 17.8, 39.3, false)"
            ],
            {SECONDARY},
        ),
        (
            "a month recoverable from its quarter",
            [
                "insert into marts.kpi_values values "
                f"('custody_pos_episodes', '{FORCE_A}', 'all', 'month', date '2023-04-01', '2023-04', "
                "3, null, 3, 'count', 0.6, 8.8, true), "
                f"('custody_pos_episodes', '{FORCE_A}', 'all', 'month', date '2023-05-01', '2023-05', "
                "10, null, 10, 'count', 4.8, 18.4, false), "
                f"('custody_pos_episodes', '{FORCE_A}', 'all', 'quarter', date '2023-04-01', 'Q1 2023/24', "
                "13, null, 13, 'count', 6.9, 22.2, false)"
            ],
            {SECONDARY},
        ),
        (
            "a suppressed quarter recoverable from its months, all shown",
            [
                "insert into marts.kpi_values values "
                f"('custody_pos_episodes', '{FORCE_A}', 'all', 'month', date '2023-04-01', '2023-04', "
                "10, null, 10, 'count', 4.8, 18.4, false), "
                f"('custody_pos_episodes', '{FORCE_A}', 'all', 'month', date '2023-05-01', '2023-05', "
                "12, null, 12, 'count', 6.2, 21.0, false), "
                f"('custody_pos_episodes', '{FORCE_A}', 'all', 'quarter', date '2023-04-01', 'Q1 2023/24', "
                "22, null, 22, 'count', 13.8, 33.3, true)"
            ],
            {SECONDARY},
        ),
        (
            "a published count recoverable from England and Wales",
            [f"update marts.published_s136 set count = 10, is_suppressed = false where area_code = '{FORCE_A}'"],
            {SECONDARY},
        ),
        (
            "a failed build",
            ["insert into marts.build_runs values ('b2', '2023-07-02 10:00', '2023-07-02 10:05', false, false)"],
            {("reconcile_latest_build", "expect_column_values_to_be_in_set")},
        ),
        (
            "a file loaded after the latest build",
            [
                "insert into raw.ingest_log values ('a2', 's136', 's136_june.csv', 'cd', '2023-07-02 09:00', "
                "'2023-07-02 09:01', 'loaded', 0, 0, 0, 0, 0, '[]', null, null)"
            ],
            {("reconcile_latest_build", "expect_column_values_to_be_between")},
        ),
        (
            "a count mismatch with the ingest log",
            [
                f"insert into raw.s136 (detention_id, force, detained_at, section) "
                f"values ('SY-9', '{FORCE_A}', timestamp '2023-05-02 10:00', '136')"
            ],
            {INGEST_COUNT},
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_each_suite_catches_its_planted_defect(
    clean_warehouse_file: Path, home: Path, defect: str, statements: list[str], expected: set[tuple[str, str]]
) -> None:
    warehouse = _planted(clean_warehouse_file, home, *statements)
    run = validate(warehouse)
    assert _failed(run) == expected, defect
    assert not run.success
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        stored = con.execute(
            "select suite, expectation from marts.dq_results where not success and severity = 'critical'"
        ).fetchall()
        (ok,) = con.execute("select success from marts.dq_runs").fetchone()
    finally:
        con.close()
    assert set(stored) == expected and ok is False


def test_failures_say_which_table_and_column_and_what_was_seen(clean_warehouse_file: Path, home: Path) -> None:
    warehouse = _planted(
        clean_warehouse_file,
        home,
        f"update raw.s136 set triage_contact_id = '{NHS_NUMBER}' where detention_id = 'SY-1'",
        f"delete from marts.kpi_values where kpi_id = 's136_detentions' and area_code = '{FORCE_A}' "
        "and period_grain = 'month' and period_start = date '2023-05-01'",
        "update marts.kpi_values set value = 120, ci_upper = 125 where kpi_id = 'pos_police_station_pct'",
    )
    run = validate(warehouse)
    nhs = _result(run, *NHS_VALUES)
    assert (nhs.table_name, nhs.column_name) == ("raw.s136", "triage_contact_id")
    assert "1 of" in nhs.observed_value
    # The privacy check reports where, never what: the number itself is not copied into dq_results.
    assert "5919" not in nhs.observed_value
    gap = _result(run, *MISSING_MONTH)
    assert FORCE_A in gap.observed_value and "s136_detentions" in gap.observed_value
    percent = _result(run, *PERCENT_RANGE)
    assert (percent.table_name, percent.column_name) == ("marts.kpi_values", "value")
    assert "120" in percent.observed_value and "pos_police_station_pct" in percent.observed_value


def test_the_cli_exits_1_naming_the_failed_check(
    clean_warehouse_file: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _planted(
        clean_warehouse_file,
        home,
        "update marts.kpi_values set value = 120, ci_upper = 125 where kpi_id = 'pos_police_station_pct'",
    )
    assert main(["validate"]) == 1
    out, err = capsys.readouterr()
    assert "FAILED" in out and "CRITICAL: marts_kpi_values" in out and "on marts.kpi_values.value" in out
    assert err.count("\n") == 1 and "critical check failed" in err and "Traceback" not in err


def test_more_defects_each_caught_by_its_own_check(clean_warehouse_file: Path, home: Path) -> None:
    warehouse = _planted(
        clean_warehouse_file,
        home,
        # privacy: an unhashed identifier in a fact table, a bare `name` beside person ids, a date-of-birth column,
        # a partner's extra "NHS Number" column (its name and its value), a date of birth kept as text
        "update marts.fct_s136_detentions set person_id = 'P1' where detention_id = 'SY-1'",
        "alter table marts.fct_s136_detentions add column name varchar",
        "create table marts.people_extra as select 1 as id, date '1990-01-01' as date_of_birth",
        f'update raw.s136 set extra = \'{{"NHS Number": "{NHS_NUMBER.replace(" ", "")}"}}\' '
        "where detention_id = 'SY-2'",
        "update raw.s136 set triage_contact_id = '01/02/1990' where detention_id = 'HB-1'",
        # marts: a count of 1 not suppressed; an interval that does not contain its value
        f"update marts.kpi_values set is_suppressed = false where area_code = '{FORCE_B}' "
        "and period_start = date '2023-04-01' and kpi_id = 's136_detentions'",
        "update marts.kpi_values set ci_upper = 1.5 where area_code = 'EW' and period_grain = 'month' "
        "and period_start = date '2023-04-01' and kpi_id = 's136_detentions'",
        # reconciliation: a fact row nobody sent (s135, so it does not touch the s136 totals); an EW total off
        f"insert into marts.fct_s136_detentions (force_code, detention_id, detained_at, section) "
        f"values ('{FORCE_A}', 'XX-1', timestamp '2023-06-01 12:00', '135(1)')",
        "update marts.kpi_values set value = 4, numerator = 4 where area_code = 'EW' and period_grain = 'month' "
        "and period_start = date '2023-05-01' and kpi_id = 's136_detentions'",
        # published figures: Concordat's own count of 3 not suppressed
        f"update marts.published_s136 set is_suppressed = false where area_code = '{FORCE_B}'",
        # raw: a category outside the contract; a date in the future (a warning, not a stop)
        "update raw.s136 set sex = 'Mle' where detention_id = 'HB-2'",
        "update raw.s136 set assessment_completed_at = timestamp '2099-01-01' where detention_id = 'HB-2'",
    )
    run = validate(warehouse)
    assert _failed(run) == {
        ("privacy", "expect_column_values_to_be_between"),  # nhs, dob and unhashed counts share a type
        ("privacy", "expect_column_values_to_not_match_regex"),
        ("privacy", "expect_column_values_to_not_be_in_set (where person_level == True)"),
        ("marts_kpi_values", "expect_column_values_to_be_in_set (where suppression_required == True)"),
        ("marts_kpi_values", "expect_column_values_to_be_in_set"),  # ci_upper_ok
        ("reconcile_fact_lineage", "expect_column_values_to_be_between"),
        ("reconcile_kpi_totals", "expect_column_pair_values_to_be_equal"),
        ("raw_s136", "expect_column_values_to_be_in_set"),
        ("marts_published_s136", "expect_column_values_to_be_in_set (where suppression_required == True)"),
        # the two counts shown above leave the other force's hidden count recoverable from EW's total
        ("marts_kpi_disclosure", "expect_column_values_to_be_between"),
    }
    privacy = {r.observed_value.split(" rows")[0]: r for r in run.results if r.suite == "privacy" and not r.success}
    tables = {t for r in privacy.values() for t in (r.table_name or "").split(", ")}
    assert {"raw.s136", "marts.fct_s136_detentions", "marts.people_extra"} <= tables
    failed_between = [
        r
        for r in run.results
        if r.suite == "privacy" and not r.success and r.expectation == "expect_column_values_to_be_between"
    ]
    assert len(failed_between) == 3  # NHS number in extra, date of birth as text, unhashed person_id
    names = _result(run, "privacy", "expect_column_values_to_not_match_regex")
    assert "extra.nhs_number" in names.column_name and "date_of_birth" in names.column_name
    kpi_totals = [r for r in run.results if r.suite == "reconcile_kpi_totals" and not r.success]
    assert len(kpi_totals) == 2  # EW against the fact table, and against the sum of its forces
    interval = _result(run, "marts_kpi_values", "expect_column_values_to_be_in_set")
    assert interval.column_name == "ci_upper_ok" and "ci_upper=1.5" in interval.observed_value
    assert _failed(run, "warning") - EMPTY_SOURCES == {("raw_s136", "expect_column_values_to_be_null")}
    future = _result(run, "raw_s136", "expect_column_values_to_be_null")
    assert future.column_name == "implausible_assessment_completed_at" and "2099-01-01" in future.observed_value


def test_an_unbuilt_warehouse_fails_for_want_of_marts(home: Path) -> None:
    from ingest.schema import ensure_raw_tables

    con = duckdb.connect(str(home / "warehouse.duckdb"))
    ensure_raw_tables(con)
    con.close()
    run = validate(home / "warehouse.duckdb")
    failed = {r.suite for r in run.results if not r.success and r.severity == "critical"}
    assert failed == {
        "marts_kpi_values",
        "marts_kpi_disclosure",
        "marts_kpi_monthly_series",
        "marts_published_s136",
        "reconcile_kpi_totals",
        "reconcile_latest_build",
    }
    spc = [r for r in run.results if r.suite == "marts_spc_points"]
    assert [(r.success, r.severity) for r in spc] == [(True, "warning")]  # optional: skipped, said so
