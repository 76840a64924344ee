"""`concordat run` rebuilds its warehouse from demo data, so it must never do that to a user's own data."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from concordat import paths
from concordat.cli import main
from concordat.pipeline import own_files

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "s136.csv"


def _logged(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select * from raw.ingest_log order by started_at").fetchall()


def test_run_refuses_a_home_holding_the_users_own_data(home: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["ingest", "s136", str(EXAMPLE)]) == 0
    before = _logged(paths.build_warehouse())
    capsys.readouterr()
    assert main(["run", "--scale", "small", "--no-serve"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"concordat run: {home} holds data of your own (s136.csv), which `concordat run` would ")
    assert out == "" and err.count("\n") == 1 and "CONCORDAT_HOME=" in err
    assert _logged(paths.build_warehouse()) == before  # the warehouse is as it was
    assert not (home / "demo").exists() and not paths.serving_warehouse().exists()


def test_a_home_built_from_the_demo_holds_nothing_of_the_users(
    small_published_home: Path, small_demo_dir: Path, use_home
) -> None:
    with use_home(small_published_home):
        assert paths.build_warehouse().is_file() and paths.serving_warehouse().is_file()
        assert own_files(small_demo_dir) == []
        # another demo (another seed, so other files) does not vouch for these
        assert own_files(small_demo_dir.parent / "no-such-demo") == sorted(
            {row[2] for row in _logged(paths.build_warehouse()) if row[6] == "loaded"} - {"ho_s136_national.csv"}
        )
