"""`concordat ingest`: every source, driven by its contract; real files, a real DuckDB warehouse, the real CLI.

Files are written by the tests (tmp_path) from the contract's own example rows, then broken on purpose, one
bad value per row, so every kind of row error of every source is seen landing in quarantine with its reason.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from concordat import forces, paths, pseudonymise
from concordat.cli import main
from concordat.contracts import CONTRACTS, Contract
from ingest import readers
from ingest.examples import example_rows, write_csv, write_xlsx
from ingest.headers import QUARANTINE_EXPORT_HEADER

SOURCES = tuple(CONTRACTS)
CLI_KEYS = (
    "source",
    "file",
    "sha256",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_skipped",
    "duplicate",
    "extra_columns",
    "errors_by_reason",
)
_FORCE_CODES = tuple(f.code for f in forces.all_forces())


# --- helpers -------------------------------------------------------------------------------------------------


def header(contract: Contract) -> list[str]:
    return [c.name for c in contract.columns]


def with_key(contract: Contract, row: dict[str, str], i: int) -> dict[str, str]:
    """A copy of `row` whose key is unique for i (a text key column, or year x force for ho_s136)."""
    out = dict(row)
    text_keys = [k for k in contract.key if contract.column(k).type == "text"]
    if text_keys:
        out[text_keys[-1]] = f"K{i:07d}"  # the last: nhs_mha's measure columns decide its scope
    else:
        year = 1990 + i % 100
        out["financial_year"] = f"{year}/{(year + 1) % 100:02d}"
        out["force"] = _FORCE_CODES[i // 100]
    return out


def good_rows(contract: Contract, n: int, start: int = 0) -> list[dict[str, str]]:
    base = example_rows(contract)
    return [with_key(contract, base[(start + i) % 2], start + i) for i in range(n)]


def ingest(*argv: str) -> tuple[int, list[dict]]:
    """Run `concordat ingest ... --json` in-process; the exit code and the JSON objects printed."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["ingest", *argv, "--json"])
    return code, [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def query(sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(paths.build_warehouse()), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def count(table: str) -> int:
    return query(f"SELECT count(*) FROM {table}")[0][0]


def counts(source: str) -> dict[str, int]:
    return {
        "rows": count(f"raw.{source}"),
        "quarantine": count("raw.quarantine"),
        "loaded_attempts": query("SELECT count(*) FROM raw.ingest_log WHERE status = 'loaded'")[0][0],
    }


# --- bad values: one per kind of row error, generated from the contract ------------------------------------

BAD_VALUE = {
    "datetime": ("31/02/2024", "{c} is not a date"),
    "date": ("31/02/2024", "{c} is not a date"),
    "int": ("abc", "{c} is not a whole number"),
    "decimal": ("abc", "{c} is not a number"),
    "bool": ("maybe", "{c} is not yes/no"),
    "category": ("Spaceship", "{c}: unknown category"),
    "force": ("Atlantis", "{c}: unknown force"),
    "fy_label": ("2023/25", "{c} is not a financial year like 2023/24"),
}

#: Cells that break each reject rule of each contract (a new reject rule needs a case here: see the test below).
RULE_BREAKERS: dict[tuple[str, str], dict[str, str]] = {
    ("s136", "released_before_detained"): {"released_at": "2023-03-31 09:00"},
    ("s136", "arrived_before_detained"): {"arrived_pos_at": "2023-03-31 09:00"},
    ("custody", "departed_before_arrived"): {"departed_at": "2023-03-31 09:00"},
    ("placements", "end_before_start"): {"end_date": "2023-03-01"},
}


def _num(value: float) -> str:
    return str(int(value))


def bad_cases(contract: Contract) -> list[tuple[str, dict[str, str], str]]:
    """(column, cells to overwrite in a good row, expected reason kind) for every way a row can fail."""
    cases: list[tuple[str, dict[str, str], str]] = []
    for col in contract.columns:
        # age_band follows age when age is given: test a bad band on a row without an age.
        context = {"age": ""} if col.name == "age_band" else {}
        if col.required and not col.default:
            cases.append((col.name, {col.name: ""}, f"{col.name} is required"))
        if col.type in BAD_VALUE:
            value, kind = BAD_VALUE[col.type]
            cases.append((col.name, {**context, col.name: value}, kind.format(c=col.name)))
        lo, hi = col.minimum, col.maximum
        if lo is not None or hi is not None:
            kind = (
                f"{col.name} out of range {_num(lo)}-{_num(hi)}"
                if lo is not None and hi is not None
                else (f"{col.name} must be at least {_num(lo)}" if lo is not None else f"{col.name} must be at most")
            )
            if lo is not None:
                cases.append((col.name, {col.name: _num(lo - 1)}, kind))
            if hi is not None:
                cases.append((col.name, {col.name: _num(hi + 1)}, kind))
    for rule in contract.row_rules:
        if rule.action == "reject":
            cases.append((rule.column, RULE_BREAKERS[(contract.source, rule.name)], rule.reason))
    return cases


def test_every_reject_rule_has_a_breaking_case() -> None:
    rules = {(c.source, r.name) for c in CONTRACTS.values() for r in c.row_rules if r.action == "reject"}
    assert rules == set(RULE_BREAKERS)


# --- the tests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES)
def test_each_kind_of_bad_value_is_quarantined_with_its_reason(source: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    good = good_rows(contract, 2)
    cases = bad_cases(contract)
    bad = [{**with_key(contract, good[0], 100 + i), **cells} for i, (_, cells, _) in enumerate(cases)]
    duplicate = dict(good[0])  # same key as row 1, later in the file
    rows = [*good, *bad, duplicate]
    path = write_csv(tmp_path / f"{source}.csv", header(contract), rows)

    code, (summary,) = ingest(source, str(path))

    assert code == 0
    assert summary["rows_read"] == len(rows)
    assert summary["rows_loaded"] == 2
    assert summary["rows_quarantined"] == len(cases) + 1
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"] + summary["rows_skipped"]
    assert sum(summary["errors_by_reason"].values()) == summary["rows_quarantined"]
    assert count(f"raw.{source}") == 2
    quarantined = {
        n: (col, reason) for n, col, reason in query("SELECT row_number, column_name, reason FROM raw.quarantine")
    }
    for offset, (column, _, kind) in enumerate(cases):  # row 1 is the header: the first bad row is row 2 + len(good)
        got_column, reason = quarantined[len(good) + offset + 2]
        assert (got_column, reason[: len(kind)]) == (column, kind), cases[offset]
    dup_column, dup_reason = quarantined[len(rows) + 1]
    assert dup_reason.startswith(f"duplicate key ({', '.join(contract.key)}) in this file (first at row 2)")
    assert dup_column in contract.key
    # the summary's example for each reason is the value its first failing row was quarantined with
    for kind in summary["errors_by_reason"]:
        first = next(reason for _, (_, reason) in sorted(quarantined.items()) if reason.startswith(kind))
        assert summary["example_by_reason"].get(kind) == (first[len(kind) :].strip() or None), kind
    assert summary["example_by_reason"], "no reason had an example"
    exported = Path(summary["quarantine_file"])
    assert exported.parent == paths.quarantine_dir()
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: what Excel needs to read it
    assert len(exported.read_text(encoding="utf-8-sig").splitlines()) == summary["rows_quarantined"] + 1
    # the sender's CSV: its own columns, then the row under the file's headers (custody has a `reason` of its
    # own), each row numbered as the sender's spreadsheet shows it (the header is row 1)
    with exported.open(encoding="utf-8-sig", newline="") as fh:
        export = list(csv.reader(fh))
    assert tuple(export[0]) == QUARANTINE_EXPORT_HEADER + tuple(header(contract))
    with path.open(encoding="utf-8", newline="") as fh:
        sent = list(csv.reader(fh))
    shown = [i for i, h in enumerate(header(contract)) if h not in contract.pseudonymised_columns]
    for record in export[1:]:
        original = sent[int(record[0]) - 1]
        assert [record[3 + i] for i in shown] == [original[i].strip() for i in shown], record


@pytest.mark.parametrize("source", SOURCES)
def test_missing_required_column_exits_2_and_writes_nothing(
    source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = CONTRACTS[source]
    for missing in contract.required_columns:
        cols = [c for c in header(contract) if c != missing]
        path = write_csv(tmp_path / f"no-{missing}.csv", cols, good_rows(contract, 3))
        assert main(["ingest", source, str(path)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "Traceback" not in err
        assert path.name in err and repr(missing) in err
    assert count(f"raw.{source}") == 0
    assert count("raw.quarantine") == 0
    assert {s for (s,) in query("SELECT DISTINCT status FROM raw.ingest_log")} == {"rejected"}


@pytest.mark.parametrize("source", SOURCES)
def test_same_file_twice_is_a_duplicate_and_loads_nothing(source: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    path = write_csv(tmp_path / "a.csv", header(contract), good_rows(contract, 5))
    code, (first,) = ingest(source, str(path))
    assert code == 0 and first["rows_loaded"] == 5 and first["duplicate"] is False
    before = counts(source)
    code, (second,) = ingest(source, str(path))
    assert code == 0
    assert second["duplicate"] is True and second["sha256"] == first["sha256"]
    assert (second["rows_read"], second["rows_loaded"], second["rows_quarantined"]) == (0, 0, 0)
    assert counts(source) == before
    assert query("SELECT status FROM raw.ingest_log ORDER BY started_at") == [("loaded",), ("duplicate",)]


@pytest.mark.parametrize("source", SOURCES)
def test_reissued_file_replaces_rows_with_the_same_keys(source: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    first = write_csv(tmp_path / "march.csv", header(contract), good_rows(contract, 4))
    # The corrected re-issue: keys 2 and 3 again (row content changed), plus a new key 4.
    reissue = good_rows(contract, 3, start=2)
    for row in reissue:
        row["__note"] = "corrected"
    second = write_csv(tmp_path / "march-v2.csv", [*header(contract), "Note"], [{**r, "Note": "v2"} for r in reissue])
    assert ingest(source, str(first))[0] == 0
    code, (summary,) = ingest(source, str(second))
    assert code == 0
    assert summary["rows_loaded"] == 3 and summary["rows_replaced"] == 2
    assert summary["extra_columns"] == ["Note"]
    assert count(f"raw.{source}") == 5
    by_file = dict(query(f"SELECT source_file, count(*) FROM raw.{source} GROUP BY 1"))
    assert by_file == {"march.csv": 2, "march-v2.csv": 3}
    keys = ", ".join(contract.key)
    assert query(f"SELECT count(*) FROM (SELECT {keys} FROM raw.{source} GROUP BY {keys} HAVING count(*) > 1)") == [
        (0,)
    ]
    assert query(f"SELECT DISTINCT extra->>'Note' FROM raw.{source} WHERE source_file = 'march-v2.csv'") == [("v2",)]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig"])
def test_windows_1252_and_bom_files_load(source: str, encoding: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    rows = [{**r, "Notes": "Café – £5 “quoted”"} for r in good_rows(contract, 3)]
    path = write_csv(tmp_path / f"{encoding}.csv", [*header(contract), "Notes"], rows, encoding=encoding)
    if encoding == "cp1252":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")
    code, (summary,) = ingest(source, str(path))
    assert code == 0 and summary["rows_loaded"] == 3 and summary["rows_quarantined"] == 0
    assert summary["extra_columns"] == ["Notes"]
    assert query(f"SELECT DISTINCT extra->>'Notes' FROM raw.{source}") == [("Café – £5 “quoted”",)]


@pytest.mark.parametrize("source", SOURCES)
def test_xlsx_with_a_title_row_loads(source: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    path = write_xlsx(tmp_path / f"{source}.xlsx", header(contract), good_rows(contract, 4), title="Tracker 2023/24")
    code, (summary,) = ingest(source, str(path))
    assert code == 0
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (4, 4, 0)
    # the sheet's own row numbers: the title is row 1, a blank row 2, the header row 3
    assert query(f"SELECT min(source_row_number), max(source_row_number) FROM raw.{source}") == [(4, 7)]


def test_xlsx_native_cells_dates_numbers_and_booleans(tmp_path: Path) -> None:
    """Real Excel cells: dates, Excel serial numbers in a date column, integers, booleans, blank rows."""
    import datetime as dt

    from openpyxl import Workbook

    contract = CONTRACTS["placements"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Officer placements - South Yorkshire"])
    sheet.append(["Placement ID", "Collar Number", "Force", "Service", "Start Date", "End Date", "Status",
                  "Induction Attended", "Confidence Pre"])  # fmt: skip
    sheet.append(["P1", "C1234", "South Yorkshire", "Stanage Ward", dt.datetime(2023, 4, 3), dt.date(2023, 4, 14),
                  "Completed", True, 3])  # fmt: skip
    sheet.append([None] * 9)
    sheet.append(["P2", 4321, "E23000011", "Liaison Service", 45026, None, "ongoing", False, 4.0])
    workbook.save(tmp_path / "tracker.xlsx")
    code, (summary,) = ingest("placements", str(tmp_path / "tracker.xlsx"))
    assert code == 0 and summary["rows_loaded"] == 2, summary
    rows = query(
        "SELECT placement_id, start_date, end_date, status, induction_attended, confidence_pre, source_row_number "
        "FROM raw.placements ORDER BY 1"
    )
    assert rows == [
        ("P1", dt.date(2023, 4, 3), dt.date(2023, 4, 14), "Completed", True, 3, 3),
        ("P2", dt.date(2023, 4, 10), None, "In progress", False, 4, 5),
    ]
    key = pseudonymise.load_key()
    assert query("SELECT officer_id FROM raw.placements ORDER BY placement_id") == [
        (pseudonymise.pseudonym("C1234", key),),
        (pseudonymise.pseudonym("4321", key),),
    ]
    assert contract.column("officer_id").pseudonymised


def test_typing_uk_dates_booleans_synonyms_and_derived_age_band(tmp_path: Path) -> None:
    rows = [
        {"detention_id": "A", "force": "south yorkshire police", "detained_at": "04/12/2024 09:30", "age": "17",
         "first_place_of_safety": "A&E", "section": "", "sex": "f"},
        {"detention_id": "B", "force": "BTP", "detained_at": "2024-12-04T09:30:15", "age_band": "adult",
         "first_place_of_safety": "section 136 suite", "section": "S135(1)", "sex": "NOT STATED"},
    ]  # fmt: skip
    cols = ["Detention ID", "FORCE", "Detained-At", "Age", "Age.Band", "First Place of Safety", "Section", "Sex"]
    named = [dict(zip(cols, r.values(), strict=False)) for r in rows]
    for raw, row in zip(rows, named, strict=True):
        row.clear()
        row.update({c: raw.get(k, "") for c, k in zip(cols, ["detention_id", "force", "detained_at", "age",
                    "age_band", "first_place_of_safety", "section", "sex"], strict=True)})  # fmt: skip
    path = write_csv(tmp_path / "s136.csv", cols, named)
    code, (summary,) = ingest("s136", str(path))
    assert code == 0 and summary["rows_loaded"] == 2, summary
    import datetime as dt

    assert query(
        "SELECT detention_id, force, detained_at, age_band, first_place_of_safety, section, sex "
        "FROM raw.s136 ORDER BY 1"
    ) == [
        ("A", "E23000011", dt.datetime(2024, 12, 4, 9, 30), "Under 18", "Emergency department", "136", "Female"),
        ("B", "BTP", dt.datetime(2024, 12, 4, 9, 30, 15), "18 and over", "Health-based place of safety", "135(1)",
         "Not known"),
    ]  # fmt: skip


def test_nhs_mha_keeps_short_term_orders_and_suppression(tmp_path: Path) -> None:
    cols = ["Year", "Measure", "MeasureSubcategory", "Demographic", "DemographicBreakdown", "OrganisationBreakdown",
            "Datasource", "OrgID", "OrgName", "MHSDS_Count", "Acute_Count", "Total_Count", "CrudeRate", "StdRate",
            "Confidence_interval"]  # fmt: skip
    lines = [
        ["2022-23", "Short term orders", "Section 136", "Total", "Total", "England", "MHSDS", "ENG", "England",
         "29,000", "*", "*", "NULL", "NULL", "NULL"],
        ["2022-23", "Short term orders", "All place of safety orders", "Age", "18-20", "England", "MHSDS", "ENG",
         "England", "1005", "5", "1010", "51.2", "50.9", "49.1 - 52.3"],
        ["2022-23", "Detentions", "Section 2", "Total", "Total", "England", "MHSDS", "ENG", "England", "x", "*",
         "*", "NULL", "NULL", "NULL"],
        ["2022-23", "Uses of restrictive interventions", "Total", "Total", "Total", "England", "MHSDS", "ENG",
         "England", "5", "5", "5", "1", "1", "1"],
    ]  # fmt: skip
    path = write_csv(tmp_path / "mha.csv", cols, [dict(zip(cols, line, strict=True)) for line in lines])
    code, (summary,) = ingest("nhs_mha", str(path))
    assert code == 0
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"], summary["rows_skipped"]) == (
        4, 2, 0, 2)  # fmt: skip
    assert query(
        "SELECT year, measure_subcategory, mhsds_count, acute_count, total_count, crude_rate, is_suppressed "
        "FROM raw.nhs_mha ORDER BY 2"
    ) == [
        ("2022/23", "All place of safety orders", 1005, 5, 1010, 51.2, False),
        ("2022/23", "Section 136", 29000, None, None, None, True),
    ]


def test_ho_s136_reference_file_loads_as_it_is() -> None:
    reference = paths.PROJECT_ROOT / "ingest" / "reference" / "ho_s136_national.csv"
    lines = len(reference.read_text(encoding="utf-8").strip().splitlines()) - 1
    code, (summary,) = ingest("ho_s136", str(reference))
    assert code == 0
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (lines, lines, 0)
    assert query("SELECT DISTINCT force FROM raw.ho_s136") == [("EW",)]


def test_json_summary_has_the_cli_keys_in_order(tmp_path: Path) -> None:
    contract = CONTRACTS["triage"]
    path = write_csv(tmp_path / "t.csv", header(contract), good_rows(contract, 2))
    code, (summary,) = ingest("triage", str(path))
    assert code == 0
    assert tuple(summary)[: len(CLI_KEYS)] == CLI_KEYS
    assert summary["file"] == str(path) and len(summary["sha256"]) == 64


def test_human_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = CONTRACTS["s136"]
    rows = [*good_rows(contract, 3), {**with_key(contract, example_rows(contract)[0], 9), "detained_at": "yesterday"}]
    path = write_csv(tmp_path / "s136.csv", header(contract), rows)
    assert main(["ingest", "s136", str(path)]) == 0
    out = capsys.readouterr().out.strip()
    # each reason with the value of the first row that failed it (user journey 1, step 2)
    assert out.startswith("s136.csv: 4 read, 3 loaded, 1 quarantined (1 row: detained_at is not a date (yesterday))")


def test_a_rejected_file_does_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = CONTRACTS["triage"]
    good = write_csv(tmp_path / "good.csv", header(contract), good_rows(contract, 2))
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(header(contract)) + "\n" + "a," * (len(header(contract)) + 2) + "\n", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    folder = tmp_path / "extracts"
    folder.mkdir()
    assert main(["ingest", "triage", str(ragged), str(missing), str(empty), str(folder), str(good)]) == 2
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert len(errors) == 4 and "Traceback" not in captured.err
    assert "ragged.csv: line 2 has" in errors[0]
    assert "missing.csv: no such file" in errors[1]
    assert "empty.csv: the file is empty" in errors[2]
    assert errors[3].endswith(f"extracts: a folder, not a file; give the files in it, e.g. {folder / '*.csv'}")
    assert count("raw.triage") == 2


def test_quoted_newlines_and_short_rows(tmp_path: Path) -> None:
    contract = CONTRACTS["triage"]
    rows = good_rows(contract, 3)
    rows[0]["model"] = "Other"
    path = tmp_path / "t.csv"
    write_csv(path, [*header(contract), "Comment"], [{**r, "Comment": "two\nlines, quoted"} for r in rows])
    with open(path, "a", encoding="utf-8") as fh:  # a short row: trailing cells missing, padded with blanks
        fh.write(",".join(with_key(contract, rows[1], 50)[c] for c in header(contract)[:4]) + "\r\n")
    code, (summary,) = ingest("triage", str(path))
    assert code == 0 and summary["rows_read"] == 4
    assert summary["errors_by_reason"] == {"outcome is required": 1}
    assert query("SELECT DISTINCT extra->>'Comment' FROM raw.triage") == [("two\nlines, quoted",)]


RAW_IDS = ("RAWPERSON-7Q1", "rawofficer-9z2")


@pytest.mark.parametrize("source", [s for s in SOURCES if CONTRACTS[s].pseudonymised_columns])
def test_no_raw_identifier_is_written_anywhere(source: str, tmp_path: Path) -> None:
    contract = CONTRACTS[source]
    rows = good_rows(contract, 3)
    for i, row in enumerate(rows):
        for j, col in enumerate(contract.pseudonymised_columns):
            row[col] = f" {RAW_IDS[j]}-{i} "
    rows[2][contract.columns[0].name] = ""  # a quarantined row carries identifiers too
    rows[1]["Notes"] = "see record CONTROL-5X"  # a positive control: the scan below must find this one
    path = write_csv(tmp_path / f"{source}.csv", [*header(contract), "Notes"], rows)
    code, (summary,) = ingest(source, str(path))
    assert code == 0 and summary["rows_loaded"] == 2 and summary["rows_quarantined"] == 1

    key = pseudonymise.load_key()
    expected = pseudonymise.pseudonym(f"{RAW_IDS[0]}-0", key)
    first = contract.pseudonymised_columns[0]
    assert query(f"SELECT {first} FROM raw.{source} WHERE source_row_number = 2") == [(expected,)]
    (row_json,) = query("SELECT row_json FROM raw.quarantine")[0]
    assert json.loads(row_json)[first] == pseudonymise.pseudonym(f"{RAW_IDS[0]}-2", key)
    with duckdb.connect(str(paths.build_warehouse()), read_only=True) as con:
        text_columns = con.execute(
            "SELECT table_schema, table_name, list(column_name) FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'JSON') GROUP BY ALL"
        ).fetchall()
        assert len(text_columns) >= len(CONTRACTS) + 2

        def hits(text: str) -> int:
            found = 0
            for schema, table, columns in text_columns:
                where = " OR ".join(f'upper("{c}"::VARCHAR) LIKE $1' for c in columns)
                sql = f'SELECT count(*) FROM "{schema}"."{table}" WHERE {where}'
                found += con.execute(sql, [f"%{text.upper()}%"]).fetchone()[0]
            return found

        assert hits("CONTROL-5X") == 1
        assert [hits(raw) for raw in RAW_IDS] == [0, 0]
    for exported in paths.quarantine_dir().iterdir():
        assert all(raw.upper() not in exported.read_text(encoding="utf-8").upper() for raw in RAW_IDS)
    assert all(raw.encode() not in paths.build_warehouse().read_bytes() for raw in RAW_IDS)


def test_two_columns_for_one_contract_column_reject(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    contract = CONTRACTS["s136"]
    rows = [{**r, "Force ": r["force"]} for r in good_rows(contract, 2)]
    path = write_csv(tmp_path / "twice.csv", [*header(contract), "Force "], rows)
    code, (summary,) = ingest("s136", str(path))
    assert code == 2
    assert summary["status"] == "rejected" and "'force' and 'Force' are both s136.force" in summary["message"]
    assert "twice.csv" in capsys.readouterr().err
    assert count("raw.s136") == 0


def test_blank_lines_count_in_row_numbers_as_in_a_workbook(tmp_path: Path) -> None:
    """DuckDB skips blank lines; the row numbers an analyst is given must not shift after one. They are the rows
    Excel shows when it opens the file: the header is row 1, a cell with line breaks stays one row."""
    contract = CONTRACTS["s136"]
    good = good_rows(contract, 4)
    lines = [
        ",".join(header(contract)),  # row 1
        ",".join(good[0][c] for c in header(contract)),  # row 2
        "",  # row 3: blank
        ",".join(good[1][c] for c in header(contract)).replace(good[1]["detained_at"], "31/02/2024"),  # row 4: bad
        "",  # row 5: blank
        # row 6: a quoted cell holding a blank line (one row over three lines; the category's spaces are folded)
        ",".join(good[2][c] for c in header(contract)).replace(good[2]["outcome"], '"Admitted\n\ninformally"'),
        ",".join(good[0][c] for c in header(contract)),  # row 7: row 2's key again
        ",".join(good[3][c] for c in header(contract)),  # row 8
        "",
        "",
    ]
    path = tmp_path / "s136.csv"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    code, (summary,) = ingest("s136", str(path))
    assert code == 0
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (5, 3, 2)
    quarantined = query("SELECT row_number, column_name, reason FROM raw.quarantine ORDER BY row_number")
    assert [(n, column) for n, column, _ in quarantined] == [(4, "detained_at"), (7, "detention_id")]
    assert quarantined[1][2].endswith("(first at row 2)")
    assert query("SELECT source_row_number FROM raw.s136 ORDER BY 1") == [(2,), (6,), (8,)]


def test_a_file_read_in_parts_keeps_every_row_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large CSV is read in parts (readers._buffer_option); the rows must still be numbered in file order. Here
    the parts are made small, so a small file is read in many."""
    contract = CONTRACTS["s136"]
    rows = good_rows(contract, 3000)
    bad = {17, 1234, 2999}  # 0-based indexes of rows with an impossible date
    for i in bad:
        rows[i]["detained_at"] = "31/02/2024"
    path = tmp_path / "s136.csv"
    write_csv(path, header(contract), rows)
    monkeypatch.setattr(readers, "MIN_CSV_BUFFER_BYTES", 0)
    monkeypatch.setattr(readers, "MAX_CSV_BUFFER_BYTES", 32_000)
    with duckdb.connect() as con:
        assert readers._buffer_option(con, path) == ", buffer_size = 32000" and path.stat().st_size > 10 * 32_000
    code, (summary,) = ingest("s136", str(path))
    assert code == 0 and (summary["rows_loaded"], summary["rows_quarantined"]) == (2997, 3), summary
    assert query("SELECT row_number FROM raw.quarantine ORDER BY 1") == [(i + 2,) for i in sorted(bad)]
    # row i of the list is the file's row i + 2 (the header is row 1): its key says which it is
    numbered = query("SELECT detention_id, source_row_number FROM raw.s136")
    assert sorted(numbered, key=lambda r: r[1]) == [
        (rows[i]["detention_id"], i + 2) for i in range(len(rows)) if i not in bad
    ]


@pytest.mark.parametrize("separator", [";", "\t", "|"])
def test_semicolon_tab_and_pipe_separated_files_load(separator: str, tmp_path: Path) -> None:
    """Excel saves "CSV" with semicolons where the decimal mark is a comma; case systems export tab- or
    pipe-separated text. The separator is the header line's; a comma inside a cell stays in the cell."""
    contract = CONTRACTS["triage"]
    rows = good_rows(contract, 3)
    path = write_csv(tmp_path / "triage.csv", [*header(contract), "Notes"], [{**r, "Notes": "a, b"} for r in rows])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",", separator).replace(f"a{separator} b", "a, b"), encoding="utf-8")
    code, (summary,) = ingest("triage", str(path))
    assert code == 0 and (summary["rows_read"], summary["rows_loaded"]) == (3, 3), summary
    assert query("SELECT DISTINCT extra->>'Notes' FROM raw.triage") == [("a, b",)]


def test_a_long_row_is_reported_at_the_line_an_editor_shows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DuckDB does not count line breaks inside quoted cells; the analyst is sent to the line in the file."""
    contract = CONTRACTS["custody"]
    names = header(contract)
    rows = [",".join(r[c] for c in names) for r in good_rows(contract, 3)]
    lines = [
        ",".join(names),
        rows[0].replace(rows[0].split(",")[-1], '"two\nlines"'),  # lines 2-3
        "",  # line 4
        rows[1],  # line 5
        rows[2] + ",extra",  # line 6: one field too many
    ]
    path = tmp_path / "custody.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, (summary,) = ingest("custody", str(path))
    assert code == 2 and summary["status"] == "rejected"
    error = capsys.readouterr().err.strip()
    assert error == (
        f"concordat ingest: custody.csv: line 6 has {len(names) + 1} fields but the header has {len(names)}; "
        "check for an unquoted comma in that line"
    )
    assert count("raw.custody") == 0


def test_compressed_files_are_named_and_a_workbook_named_csv_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import gzip
    import zipfile

    contract = CONTRACTS["placements"]
    csv_file = write_csv(tmp_path / "placements.csv", header(contract), good_rows(contract, 2))
    gzipped = tmp_path / "placements.csv.gz"
    gzipped.write_bytes(gzip.compress(csv_file.read_bytes()))
    zipped = tmp_path / "placements.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(csv_file, "placements.csv")
    assert main(["ingest", "placements", str(gzipped), str(zipped)]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors == [
        "concordat ingest: placements.csv.gz: a gzip-compressed file; decompress it and load the file inside",
        "concordat ingest: placements.zip: a zip archive; extract it and load the CSV or XLSX files inside",
    ]
    workbook = write_xlsx(tmp_path / "tracker.xlsx", header(contract), good_rows(contract, 2))
    renamed = workbook.rename(tmp_path / "tracker.csv")  # saved from Excel with the wrong name
    code, (summary,) = ingest("placements", str(renamed))
    assert code == 0 and summary["rows_loaded"] == 2


def test_empty_unnamed_columns_are_dropped_and_unnamed_columns_with_values_kept(tmp_path: Path) -> None:
    """Excel writes `a,b,c,,` for columns that were only formatted: not extra columns. An unnamed column that
    holds a value somewhere is kept, as `columnN`, and reported."""
    contract = CONTRACTS["custody"]
    names = header(contract)
    rows = good_rows(contract, 3)
    lines = [",".join([*names[:2], "", *names[2:], "", ""])]
    for i, row in enumerate(rows):
        cells = [row[c] for c in names]
        lines.append(",".join([*cells[:2], "", *cells[2:], "note" if i == 1 else "", ""]))
    path = tmp_path / "custody.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, (summary,) = ingest("custody", str(path))
    column = f"column{len(names) + 2}"
    assert code == 0 and summary["rows_loaded"] == 3 and summary["extra_columns"] == [column]
    assert query(f"SELECT extra->>'{column}' FROM raw.custody ORDER BY source_row_number") == [
        (None,),
        ("note",),
        (None,),
    ]


def test_xlsx_data_after_a_cover_sheet_loads_and_no_header_names_the_sheets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    contract = CONTRACTS["placements"]
    path = write_xlsx(tmp_path / "tracker.xlsx", header(contract), good_rows(contract, 3), title="Tracker")
    workbook = load_workbook(path)
    workbook.worksheets[0].title = "Data"
    cover = workbook.create_sheet("Read me", 0)
    cover.append(["How to fill in this tracker: one row per officer per week, officer_id from HR"])
    workbook.save(path)
    code, (summary,) = ingest("placements", str(path))
    assert code == 0 and summary["rows_loaded"] == 3

    del workbook["Data"]
    workbook.save(path)
    code, (summary,) = ingest("placements", str(path))
    assert code == 2 and summary["status"] == "rejected"
    assert capsys.readouterr().err.strip().endswith("in the first 30 rows of any sheet ('Read me')")


def test_csv_with_title_rows_above_the_header_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exports often start with a report title: the header is found as in a workbook, and rows keep their numbers
    in the file (title and blank rows counted); a too-long row is still reported at its line in the file."""
    contract = CONTRACTS["s136"]
    names = header(contract)
    rows = good_rows(contract, 3)
    rows[1]["detained_at"] = "31/02/2024"
    lines = [
        "S136 detentions, Metropolitan Police;;",
        '"Extracted; 2024-06-03"',
        "",
        ";".join(names),
        *(";".join(r[c] for c in names) for r in rows),
    ]
    path = tmp_path / "s136.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, (summary,) = ingest("s136", str(path))
    assert code == 0 and (summary["rows_read"], summary["rows_loaded"]) == (3, 2), summary
    assert query("SELECT row_number FROM raw.quarantine") == [(6,)]
    assert query("SELECT source_row_number FROM raw.s136 ORDER BY 1") == [(5,), (7,)]

    path.write_text("\n".join([*lines, lines[-1] + ";extra"]) + "\n", encoding="utf-8")
    code, (summary,) = ingest("s136", str(path))
    assert code == 2
    assert f"s136.csv: line {len(lines) + 1} has {len(names) + 1} fields" in capsys.readouterr().err


def test_title_rows_and_line_breaks_inside_quoted_cells_load(tmp_path: Path) -> None:
    """A title row above the header and a cell with a line break in it (a free-text reason) in one file."""
    contract = CONTRACTS["s136"]
    names = header(contract)
    rows = good_rows(contract, 3)
    notes = ["", '"Other,\nsee notes"', ""]  # an extra column, kept in `extra`
    lines = [
        '"S136 extract - run 02/06/2024 06:00"',
        ",".join([*names, "Notes"]),
        *(",".join([*(r[c] for c in names), note]) for r, note in zip(rows, notes, strict=True)),
    ]
    path = tmp_path / "s136.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    code, (summary,) = ingest("s136", str(path))
    assert code == 0 and summary["rows_read"] == 3, summary
    assert query("SELECT source_row_number FROM raw.s136 ORDER BY 1") == [(3,), (4,), (5,)]
    assert query("SELECT extra->>'Notes' FROM raw.s136 WHERE source_row_number = 4") == [("Other,\nsee notes",)]


def test_a_title_row_duckdb_cannot_skip_rejects_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """DuckDB 2.0 reads no row at all below a skipped row whose quotes it cannot parse: refused, not emptied."""
    contract = CONTRACTS["s136"]
    names = header(contract)
    lines = [
        '"S136 detentions" 2024;;',
        ";".join(names),
        *(";".join(r[c] for c in names) for r in good_rows(contract, 2)),
    ]
    path = tmp_path / "s136.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, (summary,) = ingest("s136", str(path))
    assert code == 2 and summary["status"] == "rejected"
    assert "s136.csv: cannot read the row above the header; delete it and save" in capsys.readouterr().err
    assert count("raw.s136") == 0


def test_a_quarantine_export_given_back_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The exported quarantine CSV holds pseudonyms: loading it would hash them again (a second pseudonym for the
    same person). Refused with one line; the corrected original extract is what to load."""
    contract = CONTRACTS["s136"]
    rows = good_rows(contract, 3)
    rows[1]["age"] = "2O"
    code, (summary,) = ingest("s136", str(write_csv(tmp_path / "s136.csv", header(contract), rows)))
    assert code == 0 and summary["rows_quarantined"] == 1
    capsys.readouterr()
    code, (again,) = ingest("s136", summary["quarantine_file"])
    assert code == 2 and again["status"] == "rejected"
    assert "a Concordat quarantine export, not an extract" in capsys.readouterr().err
    assert count("raw.s136") == 2


def test_an_emptied_row_is_quarantined_as_empty(tmp_path: Path) -> None:
    """Excel saves a row whose cells were cleared as `,,,,`: quarantined (every row read is loaded or quarantined)
    as an empty row, not as a row missing its identifier."""
    contract = CONTRACTS["triage"]
    names = header(contract)
    rows = good_rows(contract, 2)
    lines = [",".join(names), ",".join(rows[0][c] for c in names), "," * (len(names) - 1)]
    lines.append(",".join(rows[1][c] for c in names))
    path = tmp_path / "triage.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, (summary,) = ingest("triage", str(path))
    assert code == 0 and (summary["rows_loaded"], summary["rows_quarantined"]) == (2, 1), summary
    assert summary["errors_by_reason"] == {"empty row (every cell blank)": 1}
    assert query("SELECT row_number FROM raw.quarantine") == [(3,)]


def test_times_in_the_future_are_quarantined(tmp_path: Path) -> None:
    """A mistyped year (2034 for 2024) would put a detention in a period that has not happened: quarantined with
    its own reason. Today is not the future; placements' dates (planned placements) are not times."""
    import datetime as dt

    from concordat.clock import uk_now

    contract = CONTRACTS["s136"]
    rows = good_rows(contract, 3)
    today = uk_now().date()
    for row in rows[:2]:
        row.update(arrived_pos_at="", assessment_completed_at="", released_at="")
    rows[0]["detained_at"] = f"{today:%d/%m/%Y} 00:00"
    rows[1]["detained_at"] = f"{today + dt.timedelta(days=1):%d/%m/%Y} 00:00"
    rows[2]["released_at"] = f"03/07/{today.year + 10} 10:00"
    code, (summary,) = ingest("s136", str(write_csv(tmp_path / "s136.csv", header(contract), rows)))
    assert code == 0 and (summary["rows_loaded"], summary["rows_quarantined"]) == (1, 2), summary
    assert query("SELECT row_number, column_name, reason FROM raw.quarantine ORDER BY 1") == [
        (3, "detained_at", f"detained_at is in the future ({today + dt.timedelta(days=1):%d/%m/%Y} 00:00)"),
        (4, "released_at", f"released_at is in the future (03/07/{today.year + 10} 10:00)"),
    ]


def test_date_times_with_a_utc_offset_are_stored_in_uk_time(tmp_path: Path) -> None:
    """Systems that keep UTC export `...Z` or `...+01:00`; every time stored is UK local time (Europe/London)."""
    import datetime as dt

    contract = CONTRACTS["s136"]
    rows = good_rows(contract, 5)
    stamps = {
        "2024-05-31T13:05:00Z": dt.datetime(2024, 5, 31, 14, 5),  # British Summer Time
        "2024-01-31 13:05Z": dt.datetime(2024, 1, 31, 13, 5),  # Greenwich Mean Time
        "2024-05-31T14:05:00+01:00": dt.datetime(2024, 5, 31, 14, 5),
        "2024-05-31T09:05:00.5-0400": dt.datetime(2024, 5, 31, 14, 5, 0, 500000),
    }
    for row, stamp in zip(rows, [*stamps, "2024-05-31T25:05:00Z"], strict=True):
        row |= {"detained_at": stamp, "arrived_pos_at": "", "assessment_completed_at": "", "released_at": ""}
    code, (summary,) = ingest("s136", str(write_csv(tmp_path / "s136.csv", header(contract), rows)))
    assert code == 0 and summary["errors_by_reason"] == {"detained_at is not a date": 1}, summary
    assert query("SELECT detained_at FROM raw.s136 ORDER BY source_row_number") == [(v,) for v in stamps.values()]


def test_a_quote_left_open_is_reported_at_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A stray double quote opens a cell that runs to the end of the file: the sender is sent to its line."""
    contract = CONTRACTS["custody"]
    names = header(contract)
    rows = [",".join(r[c] for c in names) for r in good_rows(contract, 3)]
    rows[1] = rows[1].replace(",", ',"', 1)  # line 3: the second cell starts with a quote that never closes
    path = tmp_path / "custody.csv"
    path.write_text("\n".join([",".join(names), *rows, "x" * 200_000]) + "\n", encoding="utf-8")
    code, (summary,) = ingest("custody", str(path))
    assert code == 2 and summary["status"] == "rejected" and count("raw.custody") == 0
    assert capsys.readouterr().err.strip() == (
        "concordat ingest: custody.csv: line 3 opens a quoted cell that is never closed; "
        "check that line for a stray double quote"
    )
