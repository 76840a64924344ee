"""Check results: turned from GX results into rows of ``marts.dq_results``, stored, and summarised for a person.

``observed_value`` is written for the analyst who has to act on it: how many rows, of how many, and which
(by the batch's key columns), never a copy of a personal value (the privacy suite's batch only holds counts).
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import duckdb

DQ_RUNS_COLUMNS = (
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMP"),
    ("finished_at", "TIMESTAMP"),
    ("success", "BOOLEAN"),
    ("fingerprint", "VARCHAR"),
    ("critical_failed", "INTEGER"),
    ("warning_failed", "INTEGER"),
)
DQ_RESULTS_COLUMNS = (
    ("run_id", "VARCHAR"),
    ("suite", "VARCHAR"),
    ("expectation", "VARCHAR"),
    ("table_name", "VARCHAR"),
    ("column_name", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("success", "BOOLEAN"),
    ("observed_value", "VARCHAR"),
    ("run_at", "TIMESTAMP"),
)
EXAMPLES = 3


@dataclass(frozen=True)
class CheckResult:
    suite: str
    expectation: str
    table_name: str | None
    column_name: str | None
    severity: str
    success: bool
    observed_value: str
    note: str = ""


@dataclass
class Run:
    run_id: str
    started_at: datetime
    fingerprint: str
    finished_at: datetime | None = None
    results: list[CheckResult] = field(default_factory=list)
    data_docs: str | None = None
    #: seconds spent on each suite (reading its batch and running GX), for the summary and the benchmark
    suite_seconds: dict[str, float] = field(default_factory=dict)

    def failed(self, severity: str) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.severity == severity]

    @property
    def success(self) -> bool:
        return not self.failed("critical")

    def summary(self) -> dict[str, Any]:
        """The run as a JSON-ready dict: totals, per-suite counts, every failed check."""
        suites: dict[str, Counter] = {}
        for r in self.results:
            counts = suites.setdefault(r.suite, Counter())
            counts["checks"] += 1
            counts["passed" if r.success else f"{r.severity}_failed"] += 1
        return {
            "run_id": self.run_id,
            "success": self.success,
            "fingerprint": self.fingerprint,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
            "checks": len(self.results),
            "critical_failed": len(self.failed("critical")),
            "warning_failed": len(self.failed("warning")),
            "suites": {
                name: {
                    **{k: c.get(k, 0) for k in ("checks", "passed", "critical_failed", "warning_failed")},
                    "seconds": round(self.suite_seconds.get(name, 0.0), 2),
                }
                for name, c in suites.items()
            },
            "failures": [asdict(r) for r in self.results if not r.success],
            "data_docs": self.data_docs,
        }


def describe_expectation(config: dict[str, Any]) -> str:
    """`expect_column_values_to_be_between (where unit == "percent")`: the type, and its row condition if any."""
    text = config["type"]
    cond = config["kwargs"].get("row_condition")
    if isinstance(cond, dict):
        cond = cond.get("pass_through_filter")
    return f"{text} (where {cond})" if cond else text


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None


def _plain(value: Any) -> str:
    """numpy scalars and timestamps as a person writes them (`1`, not `np.int64(1)`)."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if hasattr(value, "hour") and (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
        return value.date().isoformat()  # a DATE read into pandas as a midnight timestamp
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _short(value: Any, limit: int = 240) -> str:
    if isinstance(value, dict):
        text = ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        text = "(" + ", ".join(_plain(v) for v in value) + ")"
    else:
        text = _plain(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def observed(result: dict[str, Any], exception: str | None) -> str:
    """A readable account of what a GX expectation saw."""
    if exception:
        return f"error: {exception}"
    if "unexpected_count" in result:
        count, total = result.get("unexpected_count") or 0, result.get("element_count") or 0
        if not count:
            return f"0 of {total} rows unexpected"
        examples = result.get("partial_unexpected_index_list") or result.get("partial_unexpected_list") or []
        shown = "; ".join(f"[{_short(e)}]" for e in examples[:EXAMPLES])
        return f"{count} of {total} rows unexpected" + (f", e.g. {shown}" if shown else "")
    if "observed_value" in result:
        return _short(result["observed_value"])
    return ""


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    for value in info.values():  # keyed by metric when a metric failed to resolve
        if isinstance(value, dict) and value.get("raised_exception"):
            return (value.get("exception_message") or "").splitlines()[0]
    return None


def from_gx(suite: dict[str, Any], gx_result: Any) -> list[CheckResult]:
    """One CheckResult per expectation of a suite, from a GX ExpectationSuiteValidationResult."""
    batch = suite["meta"]["batch"]
    by_id = {e["id"]: e for e in suite["expectations"]}
    out: list[CheckResult] = []
    for r in gx_result.results:
        config = r.expectation_config.to_json_dict()
        definition = by_id.get(config.get("id"), config)
        meta = definition.get("meta") or {}
        result = r.result or {}
        exception = _exception_message(r.exception_info)
        table, column = meta.get("table") or batch.get("table"), None
        if batch["kind"] == "table":
            column = _column_of(definition["kwargs"])
        failing = result.get("partial_unexpected_index_list") or []
        if not r.success and failing and isinstance(failing[0], dict) and "table_name" in failing[0]:
            table = ", ".join(dict.fromkeys(str(f["table_name"]) for f in failing))
            if "column_name" in failing[0]:
                column = ", ".join(dict.fromkeys(str(f["column_name"]) for f in failing))
        out.append(
            CheckResult(
                suite=suite["name"],
                expectation=describe_expectation(definition),
                table_name=table,
                column_name=column,
                severity=meta.get("severity", "critical"),
                success=bool(r.success) and not exception,
                observed_value=observed(result, exception),
                note=meta.get("note", ""),
            )
        )
    return out


def unavailable(suite: dict[str, Any], reason: str) -> CheckResult:
    """The result recorded for a suite whose batch could not be built (skipped when the suite is optional)."""
    batch = suite["meta"]["batch"]
    optional = bool(batch.get("optional"))
    return CheckResult(
        suite=suite["name"],
        expectation="batch_available",
        table_name=batch.get("table") or batch.get("builder"),
        column_name=None,
        severity="warning" if optional else "critical",
        success=optional,
        observed_value=f"skipped (optional): {reason}" if optional else reason,
        note="the suite's data must exist to be checked" if not optional else "optional table not built",
    )


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[tuple[str, str], ...]) -> None:
    cols = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
    con.execute(f"create table if not exists {table} ({cols})")


def store(con: duckdb.DuckDBPyConnection, run: Run) -> None:
    """Write the run and its results to marts.dq_runs / marts.dq_results in one transaction."""
    con.execute("create schema if not exists marts")
    _create(con, "marts.dq_runs", DQ_RUNS_COLUMNS)
    _create(con, "marts.dq_results", DQ_RESULTS_COLUMNS)
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into marts.dq_runs values (?, ?, ?, ?, ?, ?, ?)",
            [
                run.run_id,
                run.started_at,
                run.finished_at,
                run.success,
                run.fingerprint,
                len(run.failed("critical")),
                len(run.failed("warning")),
            ],
        )
        con.executemany(
            "insert into marts.dq_results values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    run.run_id,
                    r.suite,
                    r.expectation,
                    r.table_name,
                    r.column_name,
                    r.severity,
                    r.success,
                    r.observed_value,
                    run.finished_at,
                ]
                for r in run.results
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _where(r: CheckResult) -> str:
    """`raw.s136.sex` for one table and column; `tables / columns` when a check spans several."""
    if r.table_name and r.column_name and "," not in r.table_name:
        return f"{r.table_name}.{r.column_name}"
    return " / ".join(x for x in (r.table_name, r.column_name) if x) or "-"


def to_text(run: Run) -> str:
    """The human summary: per-suite counts, then each failed critical check and each warning."""
    s = run.summary()
    lines = [
        f"validation {run.run_id}: {'PASSED' if run.success else 'FAILED'} - {s['checks']} checks, "
        f"{s['critical_failed']} critical failed, {s['warning_failed']} warnings",
    ]
    width = max((len(n) for n in s["suites"]), default=10)
    for name, c in s["suites"].items():
        lines.append(
            f"  {name:<{width}}  {c['passed']:>3}/{c['checks']:<3} passed"
            + (f"  {c['critical_failed']} CRITICAL" if c["critical_failed"] else "")
            + (f"  {c['warning_failed']} warning" if c["warning_failed"] else "")
        )
    for severity, label in (("critical", "CRITICAL"), ("warning", "warning")):
        for r in run.failed(severity):
            lines.append(f"{label}: {r.suite}: {r.expectation} on {_where(r)}: {r.observed_value}")
            if r.note:
                lines.append(f"    why it matters: {r.note}")
    if run.data_docs:
        lines.append(f"Data Docs: {run.data_docs}")
    return "\n".join(lines)


def to_json(run: Run) -> str:
    return json.dumps(run.summary(), indent=2, default=str)
