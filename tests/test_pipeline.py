"""`concordat run`: on demo data it rebuilds its warehouse from the demo files, so it must never do that to a user's
own data; where the user has loaded files of their own, it builds, validates and publishes those instead."""

from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from concordat import paths
from concordat.cli import main
from concordat.pipeline import uses_own_data

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "s136.csv"


def _logged(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select * from raw.ingest_log order by started_at").fetchall()


def _loaded_files(warehouse: Path) -> set[str]:
    return {row[2] for row in _logged(warehouse) if row[6] == "loaded"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(capsys: pytest.CaptureFixture, argv: list[str]) -> str:
    """Run `concordat run ...`, expect exit 2 and one line on stderr only; return that line."""
    capsys.readouterr()
    assert main(["run", "--no-serve", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_run_builds_validates_and_publishes_the_users_own_files(
    home: Path, small_ingested_home: Path, capsys: pytest.CaptureFixture
) -> None:
    # the user's own files (here the small demo's, loaded from a folder of their own), ingested, not built
    shutil.copy(small_ingested_home / "warehouse.duckdb", paths.build_warehouse())
    loaded = _logged(paths.build_warehouse())
    capsys.readouterr()
    assert main(["run", "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert f"building the files you have loaded into {paths.build_warehouse()} (no demo data)" in out
    assert "ran: build, validate, publish" in out
    assert not (home / "demo").exists()  # no demo made, nothing ingested
    assert _logged(paths.build_warehouse()) == loaded
    assert _loaded_files(paths.serving_warehouse()) == _loaded_files(paths.build_warehouse())


def test_run_refuses_demo_options_where_the_users_own_files_are(home: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["ingest", "s136", str(EXAMPLE)]) == 0
    before = _logged(paths.build_warehouse())
    err = _refused(capsys, ["--scale", "small"])
    assert err.startswith(f"concordat run: --scale and --seed make demo data, but {home} holds files of your own ")
    assert "(s136.csv)" in err and "CONCORDAT_HOME=" in err
    assert _logged(paths.build_warehouse()) == before  # the warehouse is as it was
    assert not (home / "demo").exists() and not paths.serving_warehouse().exists()


def test_run_refuses_a_warehouse_mixing_demo_files_and_the_users_own(
    home: Path, small_ingested_home: Path, small_demo_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    shutil.copytree(small_demo_dir, home / "demo")  # the demo these files came from
    shutil.copy(small_ingested_home / "warehouse.duckdb", paths.build_warehouse())
    assert main(["ingest", "s136", str(EXAMPLE)]) == 0  # the user's own file, loaded into the demo's warehouse
    before = _logged(paths.build_warehouse())
    err = _refused(capsys, [])
    assert err.startswith(f"concordat run: {paths.build_warehouse()} holds demo files (")
    assert "and files of your own (s136.csv)" in err and "new CONCORDAT_HOME" in err
    assert _logged(paths.build_warehouse()) == before
    assert not paths.serving_warehouse().exists()


def test_a_demo_run_does_not_replace_a_served_file_of_the_users_own(
    home: Path, small_published_home: Path, capsys: pytest.CaptureFixture
) -> None:
    # the user's own data published earlier; the build warehouse since removed
    shutil.copy(small_published_home / "serving.duckdb", paths.serving_warehouse())
    served = _digest(paths.serving_warehouse())
    err = _refused(capsys, [])
    assert err.startswith(f"concordat run: {paths.serving_warehouse()} serves data of your own (")
    assert "which a demo run would replace" in err
    assert _digest(paths.serving_warehouse()) == served
    assert not (home / "demo").exists() and not paths.build_warehouse().exists()


def test_a_home_built_from_the_demo_runs_the_demo_again(
    small_published_home: Path, small_demo_dir: Path, use_home
) -> None:
    demo_options = argparse.Namespace(scale=None, seed=None)
    with use_home(small_published_home):
        assert paths.build_warehouse().is_file() and paths.serving_warehouse().is_file()
        assert uses_own_data(demo_options, small_published_home, small_demo_dir) is False
        # files no demo folder vouches for are the user's own: run builds them, as they are
        assert uses_own_data(demo_options, small_published_home, small_demo_dir.parent / "no-such-demo") is True
