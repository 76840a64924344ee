"""How the running app finds its data: the serving file and the disclosure mode, passed by `concordat dashboard`.

The Streamlit server runs in a subprocess, so the command hands these over as environment variables; tests and
benchmarks set the same variables. Nothing here opens the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from concordat.project_vars import suppression_threshold

SERVING_FILE_ENV = "CONCORDAT_SERVING_FILE"
INTERNAL_ENV = "CONCORDAT_DASHBOARD_INTERNAL"
#: "0" turns the query-result cache off (the benchmark measures queries, not the cache).
CACHE_ENV = "CONCORDAT_DASHBOARD_CACHE"


@dataclass(frozen=True)
class Settings:
    serving_file: Path
    internal: bool
    threshold: int  # counts from 1 to threshold - 1 are hidden: the warehouse's own (concordat.project_vars)
    cache: bool = True


def from_env() -> Settings:
    """Settings from the environment; the serving file defaults to $CONCORDAT_HOME/serving.duckdb."""
    raw = os.environ.get(SERVING_FILE_ENV)
    if raw:
        serving = Path(raw)
    else:
        from concordat import paths

        serving = paths.serving_warehouse()
    internal = os.environ.get(INTERNAL_ENV, "").strip().lower() in ("1", "true", "yes")
    threshold = suppression_threshold()
    cache = os.environ.get(CACHE_ENV, "1").strip() != "0"
    return Settings(serving_file=serving, internal=internal, threshold=threshold, cache=cache)
