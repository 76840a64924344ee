"""How a Concordat suite is described before it becomes a GX suite file (``expectations/gx/expectations/*.json``).

A suite is a list of GX Core expectations plus a *batch*: which DataFrame it validates. Each expectation says
whether its failure stops publication (``critical``) or is reported (``warning``), and *why* the threshold
exists, in its ``meta`` - the reader of a failed check on a board paper deadline needs both.

Batches (kept in the suite's ``meta["batch"]``):
    {"kind": "table", "table": "raw.s136", "index_columns": [...], "derived": {"name": "SQL"}, "optional": bool}
        the table read with DuckDB, narrowed to the columns the expectations use, plus derived columns
        computed in SQL (row rules, alignment flags) so GX checks a boolean instead of re-implementing logic.
    {"kind": "query", "builder": "privacy_profile", "index_columns": [...]}
        a small DataFrame computed in DuckDB by a named Python builder (expectations.batches.BUILDERS), for
        checks that span tables (privacy, reconciliation) or would be slow row by row in pandas.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "warning"]

#: GX suite ids and expectation ids are derived from the names, so regenerating a suite gives the same file.
_ID_NAMESPACE = uuid.UUID("5f1b1d2c-1360-4c6b-9a54-c0c0da7a0136")


@dataclass(frozen=True)
class Expect:
    """One expectation: a GX expectation type and its kwargs, its severity and the reason for its threshold."""

    type: str
    severity: Severity
    note: str
    kwargs: dict[str, Any]
    table: str | None = None  # the table checked, when the batch is not the table itself (privacy, reconcile)

    def to_gx(self, suite: str, index: int) -> dict[str, Any]:
        meta: dict[str, Any] = {"severity": self.severity, "note": self.note}
        if self.table:
            meta["table"] = self.table
        return {
            "type": self.type,
            "kwargs": self.kwargs,
            "meta": meta,
            "notes": f"{self.severity.upper()}: {self.note}",  # shown beside the expectation in Data Docs
            "id": str(
                uuid.uuid5(_ID_NAMESPACE, f"{suite}/{index}/{self.type}/{json.dumps(self.kwargs, sort_keys=True)}")
            ),
            "severity": self.severity,
        }


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    batch: dict[str, Any]
    expectations: list[Expect] = field(default_factory=list)

    def to_gx(self) -> dict[str, Any]:
        """The suite as GX Core 1.x writes it to its file-mode expectations store."""
        return {
            "name": self.name,
            "id": str(uuid.uuid5(_ID_NAMESPACE, self.name)),
            "expectations": [e.to_gx(self.name, i) for i, e in enumerate(self.expectations)],
            "meta": {"description": self.description, "batch": self.batch},
            "notes": self.description,
        }


def critical(type_: str, note: str, table: str | None = None, **kwargs: Any) -> Expect:
    return Expect(type_, "critical", note, kwargs, table)


def warning(type_: str, note: str, table: str | None = None, **kwargs: Any) -> Expect:
    return Expect(type_, "warning", note, kwargs, table)


def where(condition: str) -> dict[str, str]:
    """kwargs restricting an expectation to rows matching a pandas query (GX's ``row_condition``)."""
    return {"row_condition": condition, "condition_parser": "pandas"}
