"""Where things live: the project folders in the repository and the working folder CONCORDAT_HOME."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_PROJECT = PROJECT_ROOT / "warehouse"  # the dbt project
SEEDS_DIR = WAREHOUSE_PROJECT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DASHBOARD_DIR = PROJECT_ROOT / "dashboard"


def home() -> Path:
    """The working folder: $CONCORDAT_HOME, default ./data under the current directory. Created on demand."""
    path = Path(os.environ.get("CONCORDAT_HOME") or Path.cwd() / "data").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_warehouse() -> Path:
    """The build warehouse: ingest and dbt write here."""
    return home() / "warehouse.duckdb"


def serving_warehouse() -> Path:
    """The serving file: the last validated build, what the dashboard and reports read (read-only)."""
    return home() / "serving.duckdb"


def pseudonym_key_file() -> Path:
    return home() / "pseudonymisation.key"


def quarantine_dir() -> Path:
    path = home() / "quarantine"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    path = home() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
