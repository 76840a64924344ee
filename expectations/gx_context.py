"""The GX file-mode context a validation runs in, kept out of the repository.

The committed context (``expectations/gx/``: ``great_expectations.yml`` and the suite files) is copied into
``$CONCORDAT_HOME/gx/`` before each run, so validation results (GX's ``uncommitted/``) accumulate in the
working folder, never in the repository, and Data Docs are built into ``$CONCORDAT_HOME/data_docs/``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from concordat import paths
from expectations.offline_docs import make_readable_offline

COMMITTED_GX = paths.EXPECTATIONS_DIR / "gx"
#: Validation results kept per suite for Data Docs' history; older ones are pruned so building stays quick.
KEEP_RESULTS = 10
DATASOURCE = "concordat"
SITE = "local_site"


def data_docs_dir() -> Path:
    return paths.home() / "data_docs"


def load_suite_files(directory: Path = COMMITTED_GX / "expectations") -> list[dict[str, Any]]:
    """The committed suites as JSON dicts, in run order (raw, reconcile, marts, privacy)."""
    order = ("raw_", "reconcile_", "marts_", "privacy")
    suites = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.json"))]
    return sorted(suites, key=lambda s: next(i for i, p in enumerate(order) if s["name"].startswith(p)))


def _quiet_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)


def prepare_working_context(home: Path) -> Path:
    """Copy the committed context into home/gx (suites replaced, past validation results kept); return its root."""
    root = home / "gx"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(COMMITTED_GX / "great_expectations.yml", root / "great_expectations.yml")
    suites = root / "expectations"
    if suites.exists():
        shutil.rmtree(suites)
    shutil.copytree(COMMITTED_GX / "expectations", suites)
    # Validation definitions and the data source are recreated each run from the current suites.
    shutil.rmtree(root / "validation_definitions", ignore_errors=True)
    _prune_results(root / "uncommitted" / "validations")
    return root


def _prune_results(validations: Path, keep: int = KEEP_RESULTS) -> None:
    """Keep the newest `keep` stored results of each suite (GX: validations/<suite>/<run>/<time>/<batch>.json)."""
    if not validations.is_dir():
        return
    for suite_dir in validations.iterdir():
        files = sorted(suite_dir.rglob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink()


@dataclass
class Runner:
    """Runs suites on DataFrames in one GX context and builds Data Docs at the end."""

    context: Any

    @classmethod
    def open(cls, home: Path | None = None) -> Runner:
        _quiet_gx()
        import great_expectations as gx

        home = home or paths.home()
        prepare_working_context(home)
        context = gx.get_context(mode="file", project_root_dir=str(home))
        context.update_data_docs_site(
            SITE,
            {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        context.data_sources.add_or_update_pandas(DATASOURCE)
        return cls(context)

    def validate(self, suite_name: str, frame: pd.DataFrame, index_columns: list[str], run_id: str) -> Any:
        """Run one suite on one DataFrame; the GX ExpectationSuiteValidationResult (stored for Data Docs).

        The GX run name is Concordat's run id, so a Data Docs page and the rows of marts.dq_results match up.
        """
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier

        source = self.context.data_sources.get(DATASOURCE)
        try:
            asset = source.get_asset(suite_name)
        except LookupError:
            asset = source.add_dataframe_asset(suite_name)
        try:
            batch_definition = asset.get_batch_definition("whole")
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        suite = self.context.suites.get(suite_name)
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(data=batch_definition, suite=suite, name=f"validate_{suite_name}")
        )
        result_format: dict[str, Any] = {"result_format": "SUMMARY"}
        index = [c for c in index_columns if c in frame.columns]
        if index:
            result_format["unexpected_index_column_names"] = index
        return definition.run(
            batch_parameters={"dataframe": frame}, result_format=result_format, run_id=RunIdentifier(run_name=run_id)
        )

    def build_data_docs(self) -> Path:
        """Rebuild the site from scratch (pages of pruned results would otherwise linger), readable offline."""
        shutil.rmtree(data_docs_dir(), ignore_errors=True)
        self.context.build_data_docs(site_names=[SITE])
        make_readable_offline(data_docs_dir(), Path(self.context.root_directory) / "uncommitted" / "validations")
        return data_docs_dir() / "index.html"
