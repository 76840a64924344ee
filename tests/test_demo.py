"""The demo generator: deterministic, contract-valid, calibrated, and carrying the effects it says it planted.

These tests check the files against ``concordat.contracts`` (and with DuckDB for the national figures)
independently of the ingest layer, so a generator bug cannot hide behind a loader bug or vice versa.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pytest

from concordat import contracts, forces
from concordat.cli import main
from concordat.demo.plan import MIN_MONTHS_EACH_SIDE
from concordat.demo.sampling import Quota, SystematicChoice

REFERENCE = Path(__file__).resolve().parent.parent / "ingest" / "reference" / "ho_s136_national.csv"
CSV_FILES = {"s136": "s136.csv", "custody": "custody.csv", "triage": "triage.csv"}
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def _demo(out: Path, *extra: str) -> Path:
    assert main(["demo", "--out", str(out), *extra]) == 0
    return out


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


# --- reading the files back, independently of ingest ---------------------------------------------------------


def _parse(value: object, formats: tuple[str, ...]) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    for fmt in formats:
        try:
            return dt.datetime.strptime(str(value), fmt)
        except ValueError:
            continue
    return None


def _defect(contract: contracts.Contract, row: dict[str, object]) -> str | None:
    """The first reason this row breaks its contract (named like the generator's bad-row kinds), or None."""
    for name in contract.required_columns:
        if row[name] in ("", None):
            return "missing_required"
    for col in contract.columns:
        value = row[col.name]
        if value in ("", None):
            continue
        text = str(value)
        if col.type == "datetime" and _parse(value, DATETIME_FORMATS) is None:
            return "bad_date"
        if col.type == "date" and _parse(value, DATE_FORMATS) is None:
            return "bad_date"
        if col.type == "category" and col.canonical(text) is None:
            return "unknown_category"
        if col.type == "force" and forces.force_code(text) is None:
            return "unknown_force"
        if col.type == "bool" and text.lower() not in contracts.BOOLEAN_TRUE + contracts.BOOLEAN_FALSE:
            return "bad_bool"
        if col.type == "int":
            number = int(text)
            if (col.minimum is not None and number < col.minimum) or (col.maximum is not None and number > col.maximum):
                return "out_of_range"
    return None


def _rows(folder: Path, source: str) -> Iterator[dict[str, object]]:
    if source == "placements":
        wb = openpyxl.load_workbook(folder / "placements.xlsx", read_only=True)
        sheet = wb.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        title = next(rows)
        assert str(title[0]).startswith("Officer placement tracker - ")
        header = list(next(rows))
        for values in rows:  # read-only mode drops trailing empty cells
            padded = list(values) + [None] * (len(header) - len(values))
            yield {h: ("" if v is None else v) for h, v in zip(header, padded, strict=True)}
        wb.close()
        return
    with open(folder / CSV_FILES[source], newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _classify(folder: Path, source: str) -> tuple[list[dict[str, object]], Counter[str]]:
    """(valid rows, defects by kind): a row repeating the key of an earlier valid row is a duplicate."""
    contract = contracts.CONTRACTS[source]
    seen: set[tuple[object, ...]] = set()
    valid, defects = [], Counter()
    for row in _rows(folder, source):
        kind = _defect(contract, row)
        key = tuple(row[k] for k in contract.key)
        if kind is None and key in seen:
            kind = "duplicate_id"
        if kind is None:
            seen.add(key)
            valid.append(row)
        else:
            defects[kind] += 1
    return valid, defects


@pytest.fixture(scope="module")
def small(small_demo_dir: Path) -> dict[str, object]:
    """The session's small demo, classified once per module."""
    out: dict[str, object] = {"dir": small_demo_dir, "manifest": _manifest(small_demo_dir)}
    for source in contracts.RECORD_SOURCES:
        out[source] = _classify(small_demo_dir, source)
    return out


# --- determinism --------------------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(small_demo_dir: Path, tmp_path: Path) -> None:
    again = _demo(tmp_path / "again", "--scale", "small", "--seed", "136")
    other = _demo(tmp_path / "other", "--scale", "small", "--seed", "137")
    names = sorted(p.name for p in small_demo_dir.iterdir())
    assert names == sorted(p.name for p in again.iterdir())
    assert {"s136.csv", "custody.csv", "triage.csv", "placements.xlsx", "nhs_mha.csv", "interventions.csv"} <= set(
        names
    )
    for name in names:
        assert (small_demo_dir / name).read_bytes() == (again / name).read_bytes(), name
    for name in ("s136.csv", "custody.csv", "triage.csv", "placements.xlsx", "nhs_mha.csv"):
        assert (small_demo_dir / name).read_bytes() != (other / name).read_bytes(), name


# --- contracts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", contracts.RECORD_SOURCES)
def test_headers_are_the_contract_columns(small: dict, source: str) -> None:
    expected = [c.name for c in contracts.CONTRACTS[source].columns]
    row = next(_rows(small["dir"], source))
    assert list(row) == expected


@pytest.mark.parametrize("source", contracts.RECORD_SOURCES)
def test_exactly_the_planted_bad_rows_are_bad(small: dict, source: str) -> None:
    valid, defects = small[source]
    planted = {kind: n for kind, n in small["manifest"]["bad_rows"][source].items() if n}
    assert dict(defects) == planted
    assert sum(planted.values()) >= 1, "every source gets at least one bad row"
    assert (
        len(valid) + sum(planted.values())
        == small["manifest"]["row_counts"]["placements.xlsx" if source == "placements" else CSV_FILES[source]]
    )


def test_s136_bad_rows_cover_every_kind_at_about_the_share(small: dict) -> None:
    valid, defects = small["s136"]
    assert set(defects) == {"bad_date", "unknown_category", "missing_required", "duplicate_id"}
    assert sum(defects.values()) == pytest.approx(0.005 * len(valid), abs=2)


def test_bad_row_share_zero_writes_only_valid_rows(tmp_path: Path) -> None:
    folder = _demo(tmp_path / "clean", "--scale", "small", "--bad-row-share", "0")
    for source in contracts.RECORD_SOURCES:
        assert _classify(folder, source)[1] == Counter()


def test_valid_s136_rows_keep_the_row_rules_and_conditional_fields(small: dict) -> None:
    valid, _ = small["s136"]
    for row in valid:
        detained = _parse(row["detained_at"], DATETIME_FORMATS)
        for later in ("arrived_pos_at", "released_at", "assessment_completed_at"):
            if row[later]:
                assert _parse(row[later], DATETIME_FORMATS) >= detained
        assert bool(row["police_vehicle_reason"]) == (row["transport"] == "Police vehicle")
        assert bool(row["police_station_reason"]) == (row["first_place_of_safety"] == "Police station")
        if row["age"]:
            assert row["age_band"] == ("Under 18" if int(row["age"]) < 18 else "18 and over")


def test_custody_episodes_link_to_police_station_detentions(small: dict) -> None:
    detentions = {(r["force"], r["detention_id"]): r for r in small["s136"][0]}
    at_station = {k for k, r in detentions.items() if r["first_place_of_safety"] == "Police station"}
    custody, _ = small["custody"]
    linked = [r for r in custody if r["detention_id"]]
    assert {(r["force"], r["detention_id"]) for r in linked} == at_station
    for r in linked:
        assert r["person_id"] == detentions[(r["force"], r["detention_id"])]["person_id"]
        assert _parse(r["departed_at"], DATETIME_FORMATS) >= _parse(r["arrived_at"], DATETIME_FORMATS)
    assert any(not r["detention_id"] and r["reason"] == "Arrested for substantive offence" for r in custody)
    assert all("/" in r["arrived_at"] for r in custody), "custody uses UK dd/mm/yyyy HH:MM"


def test_triage_contacts_that_led_to_a_detention_are_linked_both_ways(small: dict) -> None:
    contacts, _ = small["triage"]
    manifest = small["manifest"]
    triage_forces = {f["code"] for f in manifest["forces"] if f["street_triage"]}
    assert {r["force"] for r in contacts} == triage_forces
    to_s136 = {(r["force"], r["contact_id"]) for r in contacts if r["outcome"] == "S136 detention"}
    linked = {(r["force"], r["triage_contact_id"]) for r in small["s136"][0] if r["triage_contact_id"]}
    assert to_s136 == linked and linked
    assert all(r["s136_considered"] == "Y" for r in contacts if r["outcome"] == "S136 detention")
    outcomes = Counter(r["outcome"] for r in contacts)
    assert outcomes["S136 detention"] < 0.3 * len(contacts)


def test_officer_ids_are_shared_between_placements_detentions_and_triage(small: dict) -> None:
    placed = {r["officer_id"] for r in small["placements"][0]}
    detaining = {r["officer_id"] for r in small["s136"][0]}
    triaging = {r["officer_id"] for r in small["triage"][0]}
    assert len(placed & detaining) > 0.5 * len(placed)
    assert triaging & detaining
    assert all(str(o).startswith("SY") for o in placed)


def test_placements_follow_the_sheffield_scheme(small: dict) -> None:
    rows, _ = small["placements"]
    by_officer: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_officer[r["officer_id"]].append(r)
    completed = [rs for rs in by_officer.values() if all(r["status"] == "Completed" for r in rs)]
    withdrawn = [rs for rs in by_officer.values() if any(r["status"] == "Withdrawn" for r in rs)]
    assert all(len(rs) == 2 for rs in completed)
    for first, second in (sorted(rs, key=lambda r: r["start_date"]) for rs in completed):
        assert first["setting"] != "Inpatient ward" and second["setting"] == "Inpatient ward"
        assert (second["start_date"] - first["start_date"]).days == 7
        assert isinstance(first["start_date"], dt.datetime), "dates are real Excel dates"
    assert 0.01 <= len(withdrawn) / len(by_officer) <= 0.08
    pre = np.mean([int(r["confidence_pre"]) for r in rows])
    post = np.mean([int(r["confidence_post"]) for r in rows if r["confidence_post"] != ""])
    assert post > pre + 0.5
    # at most two officers per service at a time, except the breaches the manifest declares
    per_week = Counter((r["force"], r["service"], r["start_date"].date().isoformat()) for r in rows)
    breaches = {k for k, n in per_week.items() if n > 2}
    declared = {(b["force"], b["service"], b["week_start"]) for b in small["manifest"]["capacity_breaches"]}
    assert breaches == declared and len(declared) == 1


def test_nhs_file_is_in_the_published_format_and_undercounts(small: dict) -> None:
    folder = small["dir"]
    with open(folder / "nhs_mha.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        header_map = contracts.NHS_MHA.header_map()
        mapped = [header_map.get(contracts.normalise_header(h)) for h in reader.fieldnames]
        assert mapped == [c.name for c in contracts.NHS_MHA.columns]
        rows = list(reader)
    in_scope = [r for r in rows if r["Measure"] == "Short term orders"]
    assert len(in_scope) < len(rows), "rows of other measures that ingest must skip"
    assert {r["MeasureSubcategory"] for r in in_scope} == {"Section 136", "Section 135", "All place of safety orders"}
    for r in in_scope:
        assert r["Total_Count"] == "*" or int(r["Total_Count"]) % 5 == 0
        assert r["Year"][4] == "-"
    assert any(r["Total_Count"] == "*" for r in in_scope) and any(r["StdRate"] == "NULL" for r in in_scope)
    english = [
        r
        for r in small["s136"][0]
        if r["force"].startswith("E23") and r["section"] == "136" and r["first_place_of_safety"] != "Police station"
    ]
    police = Counter(_fy(r["detained_at"]) for r in english)
    for r in in_scope:
        if r["MeasureSubcategory"] == "Section 136" and r["Demographic"] == "Total":
            ratio = int(r["Total_Count"]) / police[r["Year"].replace("-", "/")]
            assert 0.63 <= ratio <= 0.77


def test_interventions_file_lists_what_was_planted(small: dict) -> None:
    folder, manifest = small["dir"], small["manifest"]
    with open(folder / "interventions.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == [c.name for c in contracts.PLANTED_INTERVENTIONS.columns]
        rows = list(reader)
    assert {(r["force"], r["type"]) for r in rows} == {
        ("E23000007", "street_triage"),
        ("E23000011", "officer_placements"),
    }
    for r in rows:
        assert _defect(contracts.PLANTED_INTERVENTIONS, r) is None
        assert r["end_date"] == ""
    assert [r["intervention_id"] for r in rows] == [i["intervention_id"] for i in manifest["interventions"]]
    sheffield = next(r for r in rows if r["type"] == "officer_placements")
    assert sheffield["start_date"] == "2018-03-05" and sheffield["kpi_id"] == "consulted_hp_pct"
    assert float(sheffield["true_effect_pct"]) > 3


# --- realism --------------------------------------------------------------------------------------------------


def _fy(text: str) -> str:
    d = _parse(text, DATETIME_FORMATS)
    year = d.year if d.month >= 4 else d.year - 1
    return f"{year}/{(year + 1) % 100:02d}"


def test_small_covers_three_forces_and_five_years_with_realistic_structure(small: dict) -> None:
    valid, _ = small["s136"]
    manifest = small["manifest"]
    assert manifest["financial_years"] == ["2016/17", "2017/18", "2018/19", "2019/20", "2020/21"]
    assert {r["force"] for r in valid} == {"E23000011", "E23000007", "E23000008"}
    detained = [_parse(r["detained_at"], DATETIME_FORMATS) for r in valid]
    assert min(detained) >= dt.datetime(2016, 4, 1) and max(detained) < dt.datetime(2021, 4, 1)
    sections = Counter(r["section"] for r in valid)
    assert 0.01 < (sections["135(1)"] + sections["135(2)"]) / len(valid) < 0.06
    ages = [int(r["age"]) for r in valid if r["age"]]
    assert 0.045 <= np.mean(np.array(ages) < 18) <= 0.075
    assert 0.05 < sum(1 for r in valid if not r["age"]) / len(valid) < 0.2
    # seasonality and time of day
    months = Counter(d.month for d in detained)
    assert months[7] + months[8] > months[1] + months[2]
    hours = Counter(d.hour for d in detained)
    assert sum(hours[h] for h in (19, 20, 21, 22)) > 2 * sum(hours[h] for h in (5, 6, 7, 8))
    # durations: a tail beyond 24 hours
    hours_held = [
        (_parse(r["released_at"], DATETIME_FORMATS) - _parse(r["arrived_pos_at"] or r["detained_at"], DATETIME_FORMATS))
        / dt.timedelta(hours=1)
        for r in valid
        if r["released_at"]
    ]
    over_24 = np.mean(np.array(hours_held) > 24)
    assert 0.01 <= over_24 <= 0.06
    assert 3 < np.median(hours_held) < 12


def test_a_minority_of_people_are_detained_again_and_again(small: dict) -> None:
    valid = [r for r in small["s136"][0] if r["section"] == "136"]
    per_person = Counter(r["person_id"] for r in valid)
    counts = np.array(list(per_person.values()))
    assert np.mean(counts == 1) > 0.6
    assert (counts >= 5).sum() >= 10 and counts.max() >= 12
    times: dict[str, list[dt.datetime]] = defaultdict(list)
    for r in valid:
        times[r["person_id"]].append(_parse(r["detained_at"], DATETIME_FORMATS))
    third_within_year = 0
    for ts in times.values():
        ts.sort()
        third_within_year += sum(1 for i in range(2, len(ts)) if ts[i] - ts[i - 2] <= dt.timedelta(days=365))
    assert 0.02 < third_within_year / len(valid) < 0.15


# --- planted effects (small) --------------------------------------------------------------------------------


def _monthly(valid: list[dict], force: str) -> Counter[str]:
    return Counter(r["detained_at"][:7] for r in valid if r["force"] == force and r["section"] == "136")


def test_street_triage_cut_detentions_by_the_planted_share(small: dict) -> None:
    valid, _ = small["s136"]
    triage = next(i for i in small["manifest"]["interventions"] if i["type"] == "street_triage")
    start = triage["start_date"][:7]
    ratios = {}
    for force in ("E23000007", "E23000008", "E23000011"):
        monthly = _monthly(valid, force)
        before = np.mean([n for m, n in monthly.items() if m < start])
        after = np.mean([n for m, n in monthly.items() if m >= start])
        ratios[force] = after / before
    comparators = np.mean([ratios["E23000008"], ratios["E23000011"]])
    estimated_pct = (ratios["E23000007"] / comparators - 1) * 100
    assert estimated_pct == pytest.approx(triage["true_effect_pct"], abs=8)
    assert estimated_pct < -12


def _placed_split(valid: list[dict], placements: list[dict]) -> dict[bool, Counter[str]]:
    """consulted_health_professional counts of detentions by officers after (True) / without (False) a placement."""
    done: dict[str, dt.datetime] = {}
    rows_by_officer: dict[str, list[dict]] = defaultdict(list)
    for r in placements:
        rows_by_officer[r["officer_id"]].append(r)
    for officer, rs in rows_by_officer.items():
        if len(rs) == 2 and all(r["status"] == "Completed" for r in rs):
            done[officer] = max(r["end_date"] for r in rs) + dt.timedelta(hours=17)
    first = min(done.values())
    split: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for r in valid:
        when = _parse(r["detained_at"], DATETIME_FORMATS)
        if r["force"] != "E23000011" or when < first:
            continue
        placed = r["officer_id"] in done and when > done[r["officer_id"]]
        split[placed][r["consulted_health_professional"]] += 1
    return split


def test_officers_who_completed_a_placement_consult_more(small: dict) -> None:
    split = _placed_split(small["s136"][0], small["placements"][0])

    def rate(c: Counter[str]) -> float:
        return c["Yes"] / (c["Yes"] + c["No"] + c["Not practicable"])

    assert sum(split[True].values()) > 300
    assert rate(split[True]) > 0.74
    assert rate(split[False]) < 0.66
    assert rate(split[True]) - rate(split[False]) > 0.12


# --- units ------------------------------------------------------------------------------------------------------


def test_systematic_choice_keeps_totals_within_one_and_probabilities_per_row() -> None:
    rng = np.random.default_rng(1)
    sampler = SystematicChoice(rng, 3, order=[2, 0, 1])
    probs = np.array([0.7, 0.296, 0.004])
    drawn = np.concatenate([sampler.draw(rng, np.broadcast_to(probs, (n, 3))) for n in rng.integers(0, 60, 2000)])
    counts = np.bincount(drawn, minlength=3)
    assert abs(counts[2] - probs[2] * len(drawn)) <= 1
    assert counts[0] == pytest.approx(probs[0] * len(drawn), rel=0.01)
    # per-row probabilities: rows with zero probability never get the category
    p = np.tile([[0.5, 0.5, 0.0], [0.5, 0.3, 0.2]], (500, 1))
    out = sampler.draw(rng, p)
    assert not (out[0::2] == 2).any() and (out[1::2] == 2).sum() == pytest.approx(100, abs=1)


def test_quota_gives_every_source_a_bad_row_and_then_tracks_the_share() -> None:
    quota = Quota(0.005)
    taken = [quota.take(n) for n in [10] + [100] * 100]
    assert taken[0] == 1
    assert sum(taken) == pytest.approx(1 + 0.005 * 10_010, abs=1)
    assert Quota(0.0).take(1000) == 0


def test_user_mistakes_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path / "x"), "--start-year", "2020", "--end-year", "2018"]) == 2
    assert main(["demo", "--out", str(tmp_path / "x"), "--bad-row-share", "2"]) == 2
    assert main(["demo", "--out", str(tmp_path / "x"), "--start-year", "1990"]) == 2
    (tmp_path / "file").write_text("x")
    assert main(["demo", "--out", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 4


def test_the_demo_never_overwrites_files_of_the_users_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "extracts"
    out.mkdir()
    (out / "s136.csv").write_text("detention_id,force\nMY-1,E23000011\n", encoding="utf-8")
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    args = ["demo", "--out", str(out), "--start-year", "2018", "--end-year", "2018"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == (
        f"concordat demo: --out {out} already holds s136.csv, not written by `concordat demo`: choose a new or empty "
        "folder, so that no file of yours is overwritten\n"
    )
    assert (out / "s136.csv").read_text(encoding="utf-8") == "detention_id,force\nMY-1,E23000011\n"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "s136.csv"]
    # a folder of other files is fine, and an earlier demo's files are replaced
    (out / "s136.csv").unlink()
    assert main(args) == 0
    assert main([*args, "--seed", "7"]) == 0
    assert _manifest(out)["seed"] == 7 and (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def test_default_out_is_the_demo_folder_of_concordat_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path))
    assert main(["demo", "--start-year", "2018", "--end-year", "2018"]) == 0
    assert (tmp_path / "demo" / "s136.csv").exists()
    assert _manifest(tmp_path / "demo")["financial_years"] == ["2018/19"]


def test_one_year_given_keeps_the_other_default_unless_that_empties_the_range() -> None:
    from concordat.demo.plan import build_plan

    assert build_plan("small", 1, start_year=2018)[0].years == [2018, 2019, 2020]
    assert build_plan("small", 1, start_year=2022)[0].years == [2022]
    assert build_plan("national", 1, end_year=2012)[0].years == [2012]


def test_scale_n_multiplies_national_volumes(tmp_path: Path) -> None:
    from concordat.demo.calibration import NATIONAL_DETENTIONS, S135_RATE

    folder = _demo(tmp_path / "n", "--scale", "0.02", "--start-year", "2019", "--end-year", "2021")
    manifest = _manifest(folder)
    assert len(manifest["forces"]) == 44 and manifest["multiplier"] == 0.02
    expected = 0.02 * sum(NATIONAL_DETENTIONS[y] for y in (2019, 2020, 2021)) * (1 + S135_RATE)
    assert manifest["row_counts"]["s136.csv"] == pytest.approx(expected, rel=0.08)


# --- national scale: calibration and effects -----------------------------------------------------------------


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, duckdb.DuckDBPyConnection]:
    folder = _demo(tmp_path_factory.mktemp("demo-national"), "--scale", "national")
    con = duckdb.connect()
    places = ", ".join(f"'{v}'" for v in contracts.PLACES_OF_SAFETY)
    con.execute(
        f"""
        CREATE TABLE s136 AS
        WITH raw AS (
            SELECT *, row_number() OVER () AS line
            FROM read_csv('{folder / "s136.csv"}', all_varchar = true, header = true)
        ), typed AS (
            SELECT *, try_strptime(detained_at, '%Y-%m-%dT%H:%M') AS t,
                   row_number() OVER (PARTITION BY force, detention_id ORDER BY line) AS nth
            FROM raw
        )
        SELECT *, CASE WHEN month(t) >= 4 THEN year(t) ELSE year(t) - 1 END AS fy
        FROM typed
        WHERE t IS NOT NULL AND coalesce(detention_id, '') <> '' AND nth = 1
          AND first_place_of_safety IN ({places})
        """
    )
    return folder, con


@pytest.mark.slow
def test_national_matches_every_published_figure_within_ten_percent(national: tuple) -> None:
    _, con = national
    with open(REFERENCE, newline="", encoding="utf-8") as fh:
        reference = list(csv.DictReader(fh))
    assert len(reference) >= 15
    for ref in reference:
        fy = int(ref["financial_year"][:4])
        where = "" if ref["measure"] == "detentions" else f"AND {ref['measure']} = $category"
        params = {"fy": fy} | ({} if ref["measure"] == "detentions" else {"category": ref["category"]})
        (count,) = con.execute(
            f"SELECT count(*) FROM s136 WHERE section = '136' AND fy = $fy {where}", params
        ).fetchone()
        published = int(ref["count"])
        assert count == pytest.approx(published, rel=0.10), (ref, count)


@pytest.mark.slow
def test_national_shape_of_the_published_picture(national: tuple) -> None:
    folder, con = national
    manifest = _manifest(folder)
    assert len(manifest["forces"]) == 44 and manifest["financial_years"][0] == "2014/15"
    total = con.execute("SELECT count(*) FROM s136").fetchone()[0]
    assert 290_000 < total < 380_000
    ed_2023 = con.execute(
        "SELECT avg((first_place_of_safety = 'Emergency department')::int) FROM s136 "
        "WHERE fy = 2023 AND first_place_of_safety <> 'Not known'"
    ).fetchone()[0]
    assert 0.38 < ed_2023 < 0.46
    pv_2023 = con.execute("SELECT avg((transport = 'Police vehicle')::int) FROM s136 WHERE fy = 2023").fetchone()[0]
    assert 0.47 < pv_2023 < 0.55
    (after_pca_ps,) = con.execute(
        "SELECT avg((first_place_of_safety = 'Police station')::int) FROM s136 "
        "WHERE t >= '2017-12-11' AND first_place_of_safety <> 'Not known'"
    ).fetchone()
    assert after_pca_ps < 0.01
    (u18_ps_after,) = con.execute(
        "SELECT count(*) FROM s136 WHERE t >= '2017-12-11' AND age_band = 'Under 18' "
        "AND first_place_of_safety = 'Police station'"
    ).fetchone()
    assert u18_ps_after == 0
    # force-level variation around population shares
    per_head = con.execute(
        "SELECT s.force, count(*) FROM s136 s WHERE s.force <> 'BTP' AND s.force <> 'E23000034' GROUP BY 1"
    ).fetchall()
    population = {f.code: f.population for f in forces.all_forces()}
    rates = np.array([n / population[code] for code, n in per_head])
    assert 0.1 < rates.std() / rates.mean() < 0.5


@pytest.mark.slow
def test_national_triage_forces_show_their_planted_reductions(national: tuple) -> None:
    folder, con = national
    planted = [i for i in _manifest(folder)["interventions"] if i["type"] == "street_triage"]
    territorial = [f for f in forces.all_forces() if f.code != "BTP"]
    assert round(0.25 * len(territorial)) - 1 <= len(planted) <= round(0.25 * len(territorial)) + 1
    monthly = con.execute(
        "SELECT force, strftime(t, '%Y-%m') AS month, count(*) FROM s136 WHERE section = '136' GROUP BY ALL"
    ).fetchall()
    series: dict[str, dict[str, int]] = defaultdict(dict)
    for force, month, n in monthly:
        series[force][month] = n
    treated = {i["force"] for i in planted}
    comparators = [f.code for f in territorial if f.code not in treated]
    estimates, truths = [], []
    for i in planted:
        start = i["start_date"][:7]
        months = sorted(series[i["force"]])
        before = [m for m in months if m < start]
        after = [m for m in months if m >= start]
        assert len(before) >= MIN_MONTHS_EACH_SIDE and len(after) >= MIN_MONTHS_EACH_SIDE

        def ratio(force: str, before: list[str] = before, after: list[str] = after) -> float:
            s = series[force]
            return sum(s.get(m, 0) for m in after) / len(after) / (sum(s.get(m, 0) for m in before) / len(before))

        control = sum(ratio(c) for c in comparators) / len(comparators)
        estimates.append((ratio(i["force"]) / control - 1) * 100)
        truths.append(i["true_effect_pct"])
        assert -35 <= i["true_effect_pct"] <= -20
    assert np.mean(estimates) == pytest.approx(np.mean(truths), abs=4)
    assert all(e < -8 for e in estimates)


@pytest.mark.slow
def test_national_placed_officers_use_police_stations_less(national: tuple) -> None:
    folder, con = national
    placements = list(_rows(folder, "placements"))
    done: dict[str, dt.datetime] = {}
    by_officer: dict[str, list[dict]] = defaultdict(list)
    for r in placements:
        by_officer[str(r["officer_id"])].append(r)
    for officer, rs in by_officer.items():
        if len(rs) == 2 and all(r["status"] == "Completed" for r in rs):
            done[officer] = max(r["end_date"] for r in rs) + dt.timedelta(hours=17)
    con.execute("CREATE TEMP TABLE placed (officer_id VARCHAR, done TIMESTAMP)")
    con.executemany("INSERT INTO placed VALUES (?, ?)", list(done.items()))
    # observed police-station detentions by placed officers vs expected at the rate of forces without a scheme
    # in the same financial year and side of the PCA date (the generator has no force-level police-station
    # variation, and comparator forces have the volume to give a stable rate)
    schemes = [i["force"] for i in _manifest(folder)["interventions"] if i["type"] == "officer_placements"]
    observed, expected, n_placed = con.execute(
        """
        WITH d AS (
            SELECT s.force, s.fy, s.t < TIMESTAMP '2017-12-11' AS before_pca,
                   s.first_place_of_safety = 'Police station' AS ps,
                   p.done IS NOT NULL AND s.t > p.done AS is_placed
            FROM s136 s LEFT JOIN placed p USING (officer_id)
            WHERE s.first_place_of_safety <> 'Not known'
        ), comparator AS (
            SELECT fy, before_pca, avg(ps::int) AS rate FROM d WHERE NOT list_contains($schemes, force) GROUP BY ALL
        ), placed_strata AS (
            SELECT fy, before_pca, count(*) AS n, count(*) FILTER (WHERE ps) AS ps FROM d WHERE is_placed GROUP BY ALL
        )
        SELECT sum(p.ps), sum(p.n * c.rate), sum(p.n) FROM placed_strata p JOIN comparator c USING (fy, before_pca)
        """,
        {"schemes": schemes},
    ).fetchone()
    assert n_placed > 3000
    assert observed < 0.8 * expected, (observed, expected)  # planted: about half
