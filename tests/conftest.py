"""Shared fixtures: one small demo warehouse per test session, built step by step with the real CLI.

Each fixture runs the same commands a user runs (`concordat demo`, `ingest`, `build`, `validate`, `publish`) in a
temporary CONCORDAT_HOME, so end-to-end tests exercise real DuckDB files, real dbt and real GX.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from concordat.cli import main

DEMO_SEED = 136


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own CONCORDAT_HOME (session fixtures below use their own, via _Home)."""
    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("CONCORDAT_PSEUDO_KEY", "test-pseudonymisation-key")


def _run(*argv: str) -> None:
    code = main(list(argv))
    assert code == 0, f"concordat {' '.join(argv)} exited {code}"


@pytest.fixture(scope="session")
def small_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `small` demo files (3 forces x 5 financial years), generated once."""
    out = tmp_path_factory.mktemp("demo-small")
    _run("demo", "--out", str(out), "--scale", "small", "--seed", str(DEMO_SEED))
    return out


class _Home:
    """Run CLI commands with CONCORDAT_HOME pointing at one folder (session-scoped fixtures can't monkeypatch)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _Home:
        self._old = {k: os.environ.get(k) for k in ("CONCORDAT_HOME", "CONCORDAT_PSEUDO_KEY")}
        os.environ["CONCORDAT_HOME"] = str(self.path)
        os.environ["CONCORDAT_PSEUDO_KEY"] = "test-pseudonymisation-key"
        return self

    def __exit__(self, *exc: object) -> None:
        for k, v in self._old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _ingest_demo(demo_dir: Path) -> None:
    from concordat.pipeline import _ingest_inputs

    for source, path in _ingest_inputs(demo_dir):
        _run("ingest", source, str(path))


@pytest.fixture(scope="session")
def small_ingested_home(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> Path:
    """A CONCORDAT_HOME whose build warehouse holds the small demo data, ingested (not built)."""
    home = tmp_path_factory.mktemp("home-ingested")
    with _Home(home):
        _ingest_demo(small_demo_dir)
    return home


@pytest.fixture(scope="session")
def small_built_home(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> Path:
    """A CONCORDAT_HOME with the small demo ingested and built by dbt (not validated)."""
    home = tmp_path_factory.mktemp("home-built")
    with _Home(home):
        _ingest_demo(small_demo_dir)
        _run("build")
    return home


@pytest.fixture(scope="session")
def small_published_home(tmp_path_factory: pytest.TempPathFactory, small_demo_dir: Path) -> Iterator[Path]:
    """A CONCORDAT_HOME with the small demo ingested, built, validated and published to serving.duckdb."""
    home = tmp_path_factory.mktemp("home-published")
    with _Home(home):
        _ingest_demo(small_demo_dir)
        _run("build")
        _run("validate")
        _run("publish")
    yield home


@pytest.fixture()
def use_home():
    """Context manager factory: `with use_home(path): main([...])` runs commands against that home."""
    return _Home


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's CONCORDAT_HOME, as a path."""
    monkeypatch.setenv("CONCORDAT_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def clean_warehouse_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small hand-made warehouse that passes every critical check (see test_validation_warehouse.py)."""
    from test_validation_warehouse import make_clean_warehouse

    return make_clean_warehouse(tmp_path_factory.mktemp("clean") / "warehouse.duckdb")
