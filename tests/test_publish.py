"""`concordat publish`: only a validated, unchanged build reaches the serving file, and readers never break."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from test_validation_warehouse import install

from concordat.cli import main
from expectations.validate import validate


@pytest.fixture(scope="module")
def validated_warehouse_file(clean_warehouse_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clean warehouse after a passing `concordat validate` (validated once, copied by each test)."""
    home = tmp_path_factory.mktemp("validated")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONCORDAT_HOME", str(home))
        warehouse = install(clean_warehouse_file, home)
        assert validate(warehouse).success
    return warehouse


def _sql(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()


def _publish(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["publish"])
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_refuses_an_unvalidated_build(clean_warehouse_file: Path, home: Path, capsys) -> None:
    install(clean_warehouse_file, home)
    code, _, err = _publish(capsys)
    assert code == 1
    assert "has not been validated" in err and err.count("\n") == 1
    assert not (home / "serving.duckdb").exists()


def test_publish_refuses_a_build_whose_validation_failed(clean_warehouse_file: Path, home: Path, capsys) -> None:
    warehouse = install(clean_warehouse_file, home)
    _sql(warehouse, "update marts.kpi_values set value = 120, ci_upper = 125 where unit = 'percent'")
    assert not validate(warehouse).success
    code, _, err = _publish(capsys)
    assert code == 1 and "failed 1 critical check" in err
    assert not (home / "serving.duckdb").exists()


@pytest.mark.parametrize(
    "change",
    [
        "insert into raw.ingest_log (attempt_id, source, file, status, started_at, finished_at) "
        "values ('a2', 's136', 'more.csv', 'loaded', now(), now())",
        "insert into marts.build_runs values ('b2', now(), now(), true, false)",
    ],
    ids=["an ingest after validation", "a build after validation"],
)
def test_publish_refuses_a_build_changed_after_validation(
    validated_warehouse_file: Path, home: Path, capsys, change: str
) -> None:
    warehouse = install(validated_warehouse_file, home)
    _sql(warehouse, change)
    code, _, err = _publish(capsys)
    assert code == 1 and "changed after it was validated" in err
    assert not (home / "serving.duckdb").exists()


def test_publish_copies_the_validated_build_atomically(validated_warehouse_file: Path, home: Path, capsys) -> None:
    install(validated_warehouse_file, home)
    code, out, _ = _publish(capsys)
    assert code == 0 and "published" in out
    serving = home / "serving.duckdb"
    con = duckdb.connect(str(serving), read_only=True)
    try:
        kpis = con.execute("select count(*) from marts.kpi_values").fetchone()[0]
        runs = con.execute("select count(*), bool_and(success) from marts.dq_runs").fetchone()
    finally:
        con.close()
    assert kpis > 0 and runs == (1, True)
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("serving")) == ["serving.duckdb"]
    # Publishing the same validated build again is fine (idempotent).
    assert _publish(capsys)[0] == 0


def test_publish_cleans_up_a_copy_abandoned_by_a_killed_publish(
    validated_warehouse_file: Path, home: Path, capsys
) -> None:
    install(validated_warehouse_file, home)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = home / f"serving.duckdb.tmp-{dead.stdout.strip()}"
    abandoned.write_bytes(b"half a copy")
    assert _publish(capsys)[0] == 0
    assert not abandoned.exists()
    assert sorted(p.name for p in home.iterdir() if p.name.startswith("serving")) == ["serving.duckdb"]


def test_publish_without_a_warehouse_is_a_user_error(home: Path, capsys) -> None:
    code, _, err = _publish(capsys)
    assert code == 2 and "no build warehouse" in err and "Traceback" not in err


READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    serving, ready, stop = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    con = duckdb.connect(str(serving), read_only=True)
    query = "select count(*) from marts.kpi_values"
    seen, errors = [], []
    ready.write_text("ready")
    deadline = time.time() + 120
    while not stop.exists() and time.time() < deadline:
        try:
            seen.append(con.execute(query).fetchone()[0])
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.02)
    after_stop = con.execute(query).fetchone()[0]
    con.close()
    fresh = duckdb.connect(str(serving), read_only=True)
    new = fresh.execute(query).fetchone()[0]
    fresh.close()
    print(json.dumps({"seen": sorted(set(seen)), "reads": len(seen), "errors": errors,
                      "old_connection_after_publish": after_stop, "new_connection": new}))
    """
)


def test_an_open_reader_keeps_reading_through_a_publish_then_sees_the_new_data(
    validated_warehouse_file: Path, home: Path, tmp_path: Path, capsys
) -> None:
    warehouse = install(validated_warehouse_file, home)
    assert _publish(capsys)[0] == 0
    serving = home / "serving.duckdb"
    (old_count,) = (
        duckdb.connect(str(serving), read_only=True).execute("select count(*) from marts.kpi_values").fetchone()
    )
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(serving), str(ready), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.time() + 60
        while not ready.exists():
            assert reader.poll() is None, reader.stderr.read()
            assert time.time() < deadline, "reader did not start"
            time.sleep(0.05)
        # A new build runs while the reader holds the serving file open: the build warehouse is not locked by it.
        _sql(
            warehouse,
            "insert into marts.kpi_values select 'triage_contacts', area_code, segment, period_grain, period_start, "
            "period_label, 0, null, 0, 'count', 0, 3.689, false from marts.kpi_values "
            "where kpi_id = 's136_detentions'",
            "insert into marts.build_runs values ('b2', now(), now(), true, false)",
        )
        assert validate(warehouse).success
        assert _publish(capsys)[0] == 0
        time.sleep(0.3)  # the reader keeps querying its open connection after the file was replaced
        stop.write_text("stop")
        out, err = reader.communicate(timeout=60)
    finally:
        if reader.poll() is None:
            reader.kill()
    report = json.loads(out.strip().splitlines()[-1])
    assert report["errors"] == [], err
    assert report["reads"] > 5
    assert report["seen"] == [old_count]  # the open connection read the old file throughout
    assert report["old_connection_after_publish"] == old_count
    assert report["new_connection"] > old_count  # a new connection sees the published build
