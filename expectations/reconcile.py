"""Reconciliation batches: small DataFrames computed in DuckDB that say whether the numbers add up.

- ``ingest_reconciliation``: per source, rows in ``raw.<source>`` against what ``raw.ingest_log`` says was loaded.
- ``fact_lineage``: per ``marts.fct_*`` table, rows that have no raw row behind them.
- ``latest_build``: the latest row of ``marts.build_runs``.
- ``kpi_totals``: per month, England and Wales s136 detentions in ``marts.kpi_values`` against the fact table.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from concordat.contracts import CONTRACTS, Contract
from concordat.database import table_columns
from concordat.fingerprint import files_loaded_since
from concordat.forces import all_forces
from concordat.sql import q
from expectations.errors import BatchUnavailable

LINEAGE = ("source_file_sha256", "source_row_number")
#: The warehouse renames the contracts' `force` (staging: `force_code`, marts: `area_code`); lineage follows each.
COLUMN_RENAMES = {"force": ("force", "force_code", "area_code")}


def _tables(con: duckdb.DuckDBPyConnection, schema: str, prefix: str = "") -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by table_name", [schema]
    ).fetchall()
    return [r[0] for r in rows if r[0].startswith(prefix)]


def ingest_reconciliation(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source: raw_rows = count(raw.<source>); logged_rows = sum(rows_loaded - rows_replaced) of loaded attempts.

    A re-issued file replaces the rows it supersedes; its log entry records them as ``rows_replaced``, so the
    running total of the log is what the raw table must hold. Attempts that were duplicates, rejected or failed
    load nothing.
    """
    if "ingest_log" not in _tables(con, "raw"):
        raise BatchUnavailable("raw.ingest_log does not exist (nothing has been ingested)")
    present = set(_tables(con, "raw"))
    rows = []
    for source in CONTRACTS:
        raw_rows = con.execute(f"select count(*) from raw.{q(source)}").fetchone()[0] if source in present else None
        (logged,) = con.execute(
            "select coalesce(sum(coalesce(rows_loaded, 0) - coalesce(rows_replaced, 0)), 0) from raw.ingest_log "
            "where source = ? and status = 'loaded'",
            [source],
        ).fetchone()
        rows.append({"source": source, "raw_rows": raw_rows, "logged_rows": int(logged)})
    frame = pd.DataFrame(rows)
    accounted = con.execute(
        """
        select count(*) filter (where status = 'loaded'
            and rows_read is distinct from rows_loaded + rows_quarantined + rows_skipped)
        from raw.ingest_log
        """
    ).fetchone()[0]
    frame["rows_accounted_for"] = accounted == 0
    return frame.astype({"raw_rows": "Int64", "logged_rows": "Int64"})


def _trace_key(contract: Contract, columns: set[str]) -> list[tuple[str, str]] | None:
    """(raw column, fact column) pairs of the contract's key, if the fact table carries all of it."""
    pairs = []
    for key in contract.key:
        fact_col = next((c for c in COLUMN_RENAMES.get(key, (key,)) if c in columns), None)
        if fact_col is None:
            return None
        pairs.append((key, fact_col))
    return pairs


def _trace(fact: str, columns: set[str]) -> tuple[str, str] | None:
    """(description, SQL condition matching a fact row `f` to a raw row) for one fact table, or None."""
    if set(LINEAGE) <= columns:
        unions = " union all ".join(f"select source_file_sha256, source_row_number from raw.{q(s)}" for s in CONTRACTS)
        cond = (
            f"exists (select 1 from ({unions}) as r where r.source_file_sha256 = f.source_file_sha256 "
            "and r.source_row_number = f.source_row_number)"
        )
        return "source_file_sha256, source_row_number", cond
    # Prefer the source the table is named after (fct_custody_episodes carries detention_id too).
    contracts = sorted(CONTRACTS.values(), key=lambda c: c.source not in fact)
    for contract in contracts:
        if contract.kind != "record":
            continue
        pairs = _trace_key(contract, columns)
        if pairs:
            match = " and ".join(f"r.{q(raw)} = f.{q(fc)}" for raw, fc in pairs)
            described = ", ".join(f"{fc} -> raw.{contract.source}.{raw}" for raw, fc in pairs)
            return described, f"exists (select 1 from raw.{q(contract.source)} as r where {match})"
    return None


def fact_lineage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per marts.fct_* table: rows, how it is traced, and rows with no raw row behind them."""
    rows = []
    for fact in _tables(con, "marts", "fct_"):
        columns = set(table_columns(con, "marts", fact))
        (fact_rows,) = con.execute(f"select count(*) from marts.{q(fact)}").fetchone()
        trace = _trace(fact, columns)
        untraced = None
        if trace:
            (untraced,) = con.execute(f"select count(*) from marts.{q(fact)} as f where not {trace[1]}").fetchone()
        rows.append(
            {
                "table_name": f"marts.{fact}",
                "fact_rows": fact_rows,
                "traced_by": trace[0] if trace else None,
                "untraced_rows": untraced,
            }
        )
    frame = pd.DataFrame(rows, columns=["table_name", "fact_rows", "traced_by", "untraced_rows"])
    return frame.astype({"fact_rows": "Int64", "untraced_rows": "Int64", "traced_by": object})


def latest_build(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest row of marts.build_runs (none when nothing was built), as `concordat.fingerprint` orders it."""
    if "build_runs" not in _tables(con, "marts"):
        raise BatchUnavailable("marts.build_runs does not exist (has `concordat build` run?)")
    frame = con.execute(
        "select build_id, started_at, finished_at, coalesce(success, false) as success from marts.build_runs "
        "order by finished_at desc nulls first, started_at desc nulls first, build_id desc limit 1"
    ).df()
    # files loaded after the build started are not in its marts: validating and publishing them would publish
    # figures that leave out data the analyst has loaded
    frame["files_loaded_since"] = [files_loaded_since(con, started) for started in frame["started_at"]]
    return frame.astype({"success": bool, "files_loaded_since": "int64"})


def _s136_fact(con: duckdb.DuckDBPyConnection) -> tuple[str, set[str]]:
    candidates = [t for t in _tables(con, "marts", "fct_") if "detained_at" in table_columns(con, "marts", t)]
    candidates.sort(key=lambda t: ("s136" not in t, "detention" not in t, t))
    if not candidates:
        raise BatchUnavailable("no marts.fct_* table of s136 detentions (with detained_at) to reconcile against")
    return candidates[0], set(table_columns(con, "marts", candidates[0]))


def kpi_totals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per month: kpi_total (EW s136_detentions), forces_total (sum over forces), fact_count (section 136 facts)."""
    if "kpi_values" not in _tables(con, "marts"):
        raise BatchUnavailable("marts.kpi_values does not exist (has the build run?)")
    fact, columns = _s136_fact(con)
    section = "where section = '136'" if "section" in columns else ""
    forces = [f.code for f in all_forces()]
    frame = con.execute(
        f"""
        with kpi as (
            select period_start, area_code, value
            from marts.kpi_values
            where kpi_id = 's136_detentions' and segment = 'all' and period_grain = 'month'
        ),
        national as (select period_start, value as kpi_total from kpi where area_code = 'EW'),
        forces as (
            select period_start, sum(value) as forces_total from kpi
            where area_code in (select unnest(?::varchar[])) group by period_start
        ),
        facts as (
            select cast(date_trunc('month', detained_at) as date) as period_start, count(*) as fact_count
            from marts.{q(fact)} {section} group by 1
        ),
        months as (
            select period_start from national union select period_start from forces
            union select period_start from facts
        )
        select m.period_start, n.kpi_total, coalesce(fo.forces_total, 0) as forces_total,
               coalesce(fa.fact_count, 0) as fact_count
        from months as m
        left join national as n using (period_start)
        left join forces as fo using (period_start)
        left join facts as fa using (period_start)
        order by m.period_start
        """,
        [forces],
    ).df()
    return frame.astype({"kpi_total": "float64", "forces_total": "float64", "fact_count": "float64"})
