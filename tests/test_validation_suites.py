"""The suite files: generated from the contracts and definitions (no drift), well-formed, loadable by GX."""

from __future__ import annotations

from pathlib import Path

import pytest

from concordat.contracts import CONTRACTS
from expectations import generate
from expectations.gx_context import load_suite_files
from expectations.privacy import PSEUDONYMISED, is_identifier, nhs_number_sql
from expectations.suites_privacy import PERSONAL_COLUMN_REGEX

SUITES = load_suite_files()


def test_committed_suites_match_what_the_definitions_generate() -> None:
    assert generate.drift() == [], "run `python -m expectations.generate` and commit the suite files"


def test_drift_is_detected_in_both_directions(tmp_path: Path) -> None:
    generate.write(tmp_path)
    assert generate.drift(tmp_path) == []
    first = sorted(tmp_path.glob("*.json"))[0]
    first.write_text(first.read_text().replace('"critical"', '"warning"', 1))
    (tmp_path / "hand_written.json").write_text("{}")
    (tmp_path / "privacy.json").unlink()
    problems = generate.drift(tmp_path)
    assert f"differs: {first.name}" in problems
    assert "not generated (stale): hand_written.json" in problems
    assert "missing: privacy.json" in problems


def test_every_expectation_has_a_severity_and_says_why() -> None:
    for suite in SUITES:
        assert suite["meta"]["batch"]["kind"] in ("table", "query"), suite["name"]
        assert suite["expectations"], suite["name"]
        for exp in suite["expectations"]:
            assert exp["meta"]["severity"] in ("critical", "warning"), (suite["name"], exp["type"])
            assert exp["severity"] == exp["meta"]["severity"]
            assert len(exp["meta"]["note"]) > 20, (suite["name"], exp["type"])


def _suite(name: str) -> dict:
    return next(s for s in SUITES if s["name"] == name)


@pytest.mark.parametrize("source", list(CONTRACTS))
def test_raw_suites_follow_the_contracts(source: str) -> None:
    contract = CONTRACTS[source]
    suite = _suite(f"raw_{source}")
    assert suite["meta"]["batch"]["table"] == f"raw.{source}"
    by_type: dict[str, list[dict]] = {}
    for exp in suite["expectations"]:
        by_type.setdefault(exp["type"], []).append(exp["kwargs"])
    assert {k["column"] for k in by_type["expect_column_values_to_not_be_null"]} == set(contract.required_columns)
    in_set = {k["column"]: set(k["value_set"]) for k in by_type.get("expect_column_values_to_be_in_set", [])}
    for col in contract.columns:
        if col.type == "category" and not col.depends_on:
            assert in_set[col.name] == set(col.categories), col.name
    unique = by_type.get("expect_compound_columns_to_be_unique", []) + by_type.get(
        "expect_column_values_to_be_unique", []
    )
    assert [k.get("column_list", [k.get("column")]) for k in unique] == [list(contract.key)]
    rules = {
        k["column"] for k in by_type.get("expect_column_values_to_be_in_set", []) if k["column"].startswith("rule_")
    }
    assert rules == {f"rule_{r.name}" for r in contract.row_rules}


def test_gx_loads_every_suite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from expectations.gx_context import Runner

    runner = Runner.open(tmp_path)
    names = {s["name"] for s in SUITES}
    for name in names:
        suite = runner.context.suites.get(name)
        assert len(suite.expectations) == len(_suite(name)["expectations"])
    assert not (Path(generate.GX_DIR) / "uncommitted").exists()  # nothing written inside the repository


@pytest.mark.parametrize(
    ("name", "personal"),
    [
        ("forename", True),
        ("surname", True),
        ("date_of_birth", True),
        ("dob", True),
        ("nhs_number", True),
        ("extra.nhs_no", True),
        ("home_address", True),
        ("postcode", True),
        ("patient_name", True),
        ("force_name", False),
        ("area_name", False),
        ("name", False),  # a bare name is only personal beside a person identifier (separate check)
        ("detained_at", False),
        ("person_id", False),
    ],
)
def test_personal_column_names(name: str, personal: bool) -> None:
    import re

    assert bool(re.search(PERSONAL_COLUMN_REGEX, name)) is personal


@pytest.mark.parametrize(
    ("value", "is_nhs"),
    [
        ("943 476 5919", True),
        ("9434765919", True),
        ("943-476-5919", True),
        ("9434765918", False),  # wrong check digit
        ("943476591", False),  # nine digits
        ("94347659190", False),  # eleven digits
        ("SY-2019-000250", False),
        (None, False),
    ],
)
def test_nhs_number_shape_and_check_digit(value: str | None, is_nhs: bool) -> None:
    import duckdb

    con = duckdb.connect()
    (found,) = con.execute(
        f"select coalesce({nhs_number_sql('x')}, false) from (select ?::varchar as x)", [value]
    ).fetchone()
    assert found is is_nhs


def test_identifier_descendants() -> None:
    assert set(PSEUDONYMISED) == {"person_id", "officer_id"}
    assert is_identifier("officer_id") == "officer_id"
    assert is_identifier("detaining_officer_id") == "officer_id"
    assert is_identifier("triage_contact_id") is None
