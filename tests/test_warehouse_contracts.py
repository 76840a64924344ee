"""Drift tests between the dbt project and its sources of truth: the contracts registry, the raw DDL and the KPI
catalogue in docs/specs/kpis.md. Fast: no dbt run."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import duckdb
import yaml

from concordat import paths
from concordat.contracts import CONTRACTS
from ingest.schema import ensure_raw_tables

WAREHOUSE = paths.WAREHOUSE_PROJECT


def _generator():
    spec = importlib.util.spec_from_file_location("gen", WAREHOUSE / "scripts" / "generate_from_contracts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_files_are_up_to_date() -> None:
    """Run warehouse/scripts/generate_from_contracts.py after changing concordat/contracts.py."""
    for path, text in _generator().outputs().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: rerun the generator"


def test_sources_match_the_raw_tables_in_both_directions() -> None:
    sources = yaml.safe_load((WAREHOUSE / "models" / "staging" / "_sources.yml").read_text())["sources"][0]
    declared = {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in sources["tables"]}
    con = duckdb.connect()
    ensure_raw_tables(con)
    actual: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'raw' "
        "order by table_name, ordinal_position"
    ).fetchall():
        actual.setdefault(table, []).append((column, data_type))
    assert declared == actual


def test_every_source_has_one_staging_model() -> None:
    staging = {p.stem for p in (WAREHOUSE / "models" / "staging").glob("stg_*.sql")}
    for source in CONTRACTS:
        matches = [s for s in staging if s.startswith(f"stg_{source}__")]
        assert len(matches) == 1, (source, matches)


def _catalogue_ids() -> set[str]:
    text = (paths.PROJECT_ROOT / "docs" / "specs" / "kpis.md").read_text()
    section = text.split("## Catalogue", 1)[1].split("\n## ", 1)[0]
    ids: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith(("| kpi_id", "|---")):
            ids.update(re.findall(r"\b([a-z0-9]+(?:_[a-z0-9]+)+)\b", line.split("|")[1]))
    return ids


def test_kpi_definitions_seed_is_the_catalogue() -> None:
    with open(WAREHOUSE / "seeds" / "kpi_definitions.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["kpi_id"] for r in rows} == _catalogue_ids()
    segmented = {r["kpi_id"] for r in rows if r["has_segments"] == "true"}
    assert segmented == {"pos_police_station_pct", "consulted_hp_pct", "s136_conversion_pct", "s136_nfa_pct"}
    for row in rows:
        assert row["name"] and row["description"], row["kpi_id"]


def test_every_kpi_is_defined_once_in_sql() -> None:
    """Each KPI id appears in exactly one intermediate model (its family), where its definition lives."""
    models = {p.name: p.read_text() for p in (WAREHOUSE / "models" / "intermediate").glob("int_kpi_*.sql")}
    with open(WAREHOUSE / "seeds" / "kpi_definitions.csv", newline="", encoding="utf-8") as fh:
        ids = [r["kpi_id"] for r in csv.DictReader(fh)]
    for kpi_id in ids:
        defining = [name for name, sql in models.items() if f"'{kpi_id}'" in sql]
        assert len(defining) == 1, (kpi_id, defining)


def test_exposures_name_every_dashboard_page_and_the_report() -> None:
    exposures = yaml.safe_load((WAREHOUSE / "models" / "marts" / "exposures.yml").read_text())["exposures"]
    labels = {e["label"] for e in exposures}
    assert labels == {
        "Overview",
        "Section 136 and places of safety",
        "Custody",
        "Street triage",
        "Officer placements",
        "Partnership impact",
        "Compare forces",
        "Published statistics",
        "Data quality",
        "Definitions",
        "Board report",
    }
    marts = {p.stem for p in Path(WAREHOUSE / "models" / "marts").glob("*.sql")}
    used = {m for e in exposures for d in e["depends_on"] for m in re.findall(r"ref\('(\w+)'\)", d)}
    assert used <= marts and "kpi_values" in used and "published_s136" in used
    # no page or report claims a model the dashboard never reads (all its SQL is in dashboard/queries.py)
    read = set(re.findall(r"\bmarts\.(\w+)", (paths.PROJECT_ROOT / "dashboard" / "queries.py").read_text()))
    assert used <= read, used - read


def test_every_kpi_has_a_hand_worked_unit_test() -> None:
    """Each KPI id appears in the expected rows of some dbt unit test (models/*/_unit_tests.yml)."""
    expected_text = ""
    for path in (WAREHOUSE / "models").glob("*/_unit_tests.yml"):
        for test in yaml.safe_load(path.read_text())["unit_tests"]:
            expected_text += yaml.safe_dump(test["expect"])
    with open(WAREHOUSE / "seeds" / "kpi_definitions.csv", newline="", encoding="utf-8") as fh:
        missing = [r["kpi_id"] for r in csv.DictReader(fh) if r["kpi_id"] not in expected_text]
    assert not missing
