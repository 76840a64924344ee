"""The acceptance check of the methods on the `national` demo: every planted intervention is recovered.

Runs the real CLI (demo, ingest, build) on the national scale (~320,000 detentions, 43 forces, 10 years), so it
takes a few minutes; `python -m concordat.methods.recovery <warehouse>` prints the same table by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pytest

from concordat.cli import main
from concordat.methods import recovery
from concordat.pipeline import _ingest_inputs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    home = tmp_path_factory.mktemp("home-national")
    demo = tmp_path_factory.mktemp("demo-national")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CONCORDAT_HOME", str(home))
        mp.setenv("CONCORDAT_PSEUDO_KEY", "test-pseudonymisation-key")
        assert main(["demo", "--out", str(demo), "--scale", "national", "--seed", "136"]) == 0
        for source, path in _ingest_inputs(demo):
            assert main(["ingest", source, str(path)]) == 0
        assert main(["build"]) == 0
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_every_planted_intervention_is_recovered(national: duckdb.DuckDBPyConnection) -> None:
    table = recovery.planted_vs_estimated(national)
    planted = national.execute(
        "select count(*) from marts.dim_intervention where origin = 'planted' and true_effect_pct is not null"
    ).fetchone()[0]
    assert planted >= 10 and len(table) == 2 * planted
    print("\n" + table.to_string())
    # 95% intervals: an occasional miss is expected by chance (and ITS and DiD each miss now and then where
    # their assumptions bend), so each intervention must be recovered by at least one of the two methods and
    # at least four in five estimates must cover (on seed 136: 27 to 30 of 30 as the generator evolved).
    by_intervention = table.groupby("intervention_id")["covered"].any()
    assert by_intervention.all(), by_intervention[~by_intervention]
    assert table["covered"].mean() >= 0.8
    assert (np.sign(table["estimate"]) == np.sign(table["true_effect_pct"])).mean() >= 0.9


def test_forces_without_an_intervention_mostly_show_no_significant_change(
    national: duckdb.DuckDBPyConnection,
) -> None:
    null = recovery.untreated_significance(national)
    assert len(null) > 100
    for method, group in null.groupby("method"):
        rate = float(np.mean(group["p"] < 0.05))
        print(f"{method}: {rate:.1%} of {len(group)} untreated series significant at 5%")
        assert rate < 0.15, method
