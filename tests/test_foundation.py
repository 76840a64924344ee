"""The foundation: contracts registry, force lookup, pseudonymisation and the CLI's error handling."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from concordat import contracts, forces, pseudonymise
from concordat.cli import main


def test_every_contract_is_well_formed() -> None:
    assert set(contracts.RECORD_SOURCES) <= set(contracts.CONTRACTS)
    for contract in contracts.CONTRACTS.values():
        names = [c.name for c in contract.columns]
        assert len(names) == len(set(names)), contract.source
        assert set(contract.key) <= set(names), contract.source
        assert all(contract.column(k).required for k in contract.key), contract.source
        for col in contract.columns:
            if col.type == "category" and not col.depends_on:
                assert col.categories, (contract.source, col.name)
                assert set(col.synonyms.values()) <= set(col.categories), (contract.source, col.name)
            if col.default is not None:
                assert col.default in col.categories


def test_headers_are_matched_case_insensitively_after_folding() -> None:
    header_map = contracts.get("s136").header_map()
    assert header_map[contracts.normalise_header("Detained At")] == "detained_at"
    assert header_map[contracts.normalise_header(" FIRST-PLACE.OF.SAFETY ")] == "first_place_of_safety"
    assert contracts.get("nhs_mha").header_map()[contracts.normalise_header("MeasureSubcategory")] == (
        "measure_subcategory"
    )


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HBPoS", "Health-based place of safety"),
        ("a&e", "Emergency department"),
        ("Section 136 suite", "Health-based place of safety"),
        ("police STATION", "Police station"),
        ("Spaceship", None),
    ],
)
def test_place_of_safety_synonyms(raw: str, canonical: str | None) -> None:
    assert contracts.get("s136").column("first_place_of_safety").canonical(raw) == canonical


def test_dependent_categories_follow_their_measure() -> None:
    col = contracts.get("ho_s136").column("category")
    assert col.canonical("all", "detentions") == "All"
    assert col.canonical("A&E", "first_place_of_safety") == "Emergency department"
    assert col.canonical("Ambulance", "first_place_of_safety") is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("E23000011", "E23000011"),
        ("South Yorkshire", "E23000011"),
        ("South Yorkshire Police", "E23000011"),
        ("Devon & Cornwall Police", "E23000035"),
        ("British Transport Police", "BTP"),
        ("Hampshire and Isle of Wight Constabulary", "E23000030"),
        ("Atlantis", None),
    ],
)
def test_force_lookup(value: str, code: str | None) -> None:
    assert forces.force_code(value) == code


def test_national_name_only_where_allowed() -> None:
    assert forces.force_code("England and Wales") is None
    assert forces.force_code("England and Wales", allow_national=True) == "EW"


def test_pseudonym_in_sql_equals_python(tmp_path) -> None:
    key = b"a test key"
    values = ["PC 1234", " pc 1234 ", "Ünïcode-7", None, ""]
    con = duckdb.connect()
    con.execute("create table t(v varchar)")
    con.executemany("insert into t values (?)", [[v] for v in values])
    in_sql = [r[0] for r in con.sql(f"select {pseudonymise.sql_expression('v', key)} from t").fetchall()]
    assert in_sql == [pseudonymise.pseudonym(v, key) for v in values]
    assert in_sql[0] == in_sql[1]  # trimmed and upper-cased before hashing
    assert len(in_sql[0]) == pseudonymise.PSEUDONYM_HEX_CHARS and "1234" not in in_sql[0]


def test_key_file_is_created_owner_only(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CONCORDAT_PSEUDO_KEY", raising=False)
    key_file = tmp_path / "k.key"
    key = pseudonymise.load_key(key_file)
    assert key == pseudonymise.load_key(key_file)
    assert (key_file.stat().st_mode & 0o777) == 0o600


def test_unknown_source_is_a_user_error(capsys, tmp_path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["ingest", "nonsense", str(tmp_path / "x.csv")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nonsense'" in err and "Traceback" not in err


def test_version_is_the_installed_package_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "concordat.cli", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and not proc.stderr
    assert proc.stdout.strip() == f"concordat {importlib.metadata.version('concordat')}"


def test_bad_arguments_exit_2_without_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "concordat.cli", "demo", "--scale", "huge"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "--scale" in proc.stderr and "Traceback" not in proc.stderr


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    """`concordat ingest ... --json | head -c 1`: the reader leaving early is no error of ours (no traceback, no
    'internal error'), and the exit status is the shell's for SIGPIPE."""
    env = {**os.environ, "CONCORDAT_HOME": str(tmp_path)}
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "s136.csv"
    script = (
        "import sys; from concordat.cli import main\n"
        "class Closed:\n"
        "    def write(self, text): raise BrokenPipeError(32, 'Broken pipe')\n"
        "    def flush(self): pass\n"
        "sys.stdout = Closed()\n"
        f"sys.exit(main(['ingest', 's136', {str(example)!r}, '--json']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 141, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
