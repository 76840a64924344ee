"""The dbt project's variables that Python needs as well, read from the one place they are set:
`warehouse/dbt_project.yml` (`vars:`). The build, the validation and the dashboard then agree."""

from __future__ import annotations

from functools import cache

import yaml

from concordat.paths import WAREHOUSE_PROJECT

DEFAULT_SUPPRESSION_THRESHOLD = 5


@cache
def suppression_threshold() -> int:
    """`suppression_threshold`: counts from 1 to this - 1 are hidden in published views (specs/kpis.md)."""
    try:
        project = yaml.safe_load((WAREHOUSE_PROJECT / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return DEFAULT_SUPPRESSION_THRESHOLD
    return int((project.get("vars") or {}).get("suppression_threshold", DEFAULT_SUPPRESSION_THRESHOLD))
