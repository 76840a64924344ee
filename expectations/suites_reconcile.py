"""Reconciliation: the numbers add up from the ingest log to raw, from raw to the facts, from facts to the KPIs.

Each batch is a small DataFrame computed in DuckDB (``expectations.reconcile``); the expectations compare its
columns. All critical: a partner acting on a total that does not match its own records loses trust in all of it.
"""

from __future__ import annotations

from concordat.contracts import CONTRACTS
from expectations.spec import Expect, Suite, critical, warning, where


def ingest_log_suite() -> Suite:
    expectations: list[Expect] = []
    for source in CONTRACTS:
        expectations.append(
            critical(
                "expect_column_pair_values_to_be_equal",
                f"raw.{source} must hold exactly the rows the ingest log says were loaded (rows_loaded minus "
                "rows_replaced by re-issued files): anything else means rows were lost, doubled or written by hand",
                table=f"raw.{source}",
                column_A="raw_rows",
                column_B="logged_rows",
                **where(f'source == "{source}"'),
            )
        )
    expectations.append(
        critical(
            "expect_column_values_to_be_in_set",
            "every row read is loaded, quarantined or skipped (rows_read = loaded + quarantined + skipped)",
            table="raw.ingest_log",
            column="rows_accounted_for",
            value_set=[True],
        )
    )
    return Suite(
        name="reconcile_ingest_log",
        description="Raw row counts match raw.ingest_log, per source.",
        batch={"kind": "query", "builder": "ingest_reconciliation", "index_columns": ["source"]},
        expectations=expectations,
    )


def fact_lineage_suite() -> Suite:
    return Suite(
        name="reconcile_fact_lineage",
        description="Every row of every marts.fct_* table traces to a raw row (lineage columns or the source key).",
        batch={"kind": "query", "builder": "fact_lineage", "index_columns": ["table_name"]},
        expectations=[
            warning(
                "expect_table_row_count_to_be_between",
                "no marts.fct_* tables were found: nothing to trace (has the build run?)",
                min_value=1,
            ),
            critical(
                "expect_column_values_to_not_be_null",
                "each fact table must carry a raw source's key (or source_file_sha256 + source_row_number) so its "
                "rows can be traced to what a partner sent",
                column="traced_by",
            ),
            critical(
                "expect_column_values_to_be_between",
                "a fact row with no raw row behind it is a number nobody sent us",
                column="untraced_rows",
                min_value=0,
                max_value=0,
            ),
        ],
    )


def kpi_totals_suite() -> Suite:
    return Suite(
        name="reconcile_kpi_totals",
        description="Monthly s136 detentions for England and Wales in marts.kpi_values equal the fact table count.",
        batch={"kind": "query", "builder": "kpi_totals", "index_columns": ["period_start"]},
        expectations=[
            critical(
                "expect_column_pair_values_to_be_equal",
                "the headline count on the dashboard must equal the detentions in the fact table, month by month",
                table="marts.kpi_values",
                column_A="kpi_total",
                column_B="fact_count",
            ),
            critical(
                "expect_column_pair_values_to_be_equal",
                "England and Wales is all forces loaded: its monthly count equals the sum of the forces' counts",
                table="marts.kpi_values",
                column_A="kpi_total",
                column_B="forces_total",
            ),
        ],
    )


def build_status_suite() -> Suite:
    return Suite(
        name="reconcile_latest_build",
        description="The latest build (marts.build_runs) succeeded: the marts being validated are a whole build.",
        batch={"kind": "query", "builder": "latest_build", "index_columns": ["build_id"]},
        expectations=[
            critical(
                "expect_table_row_count_to_be_between",
                "no build is recorded in marts.build_runs: the marts were not made by `concordat build`",
                table="marts.build_runs",
                min_value=1,
            ),
            critical(
                "expect_column_values_to_be_in_set",
                "the latest build failed (dbt or the method tables): its marts may be partial or stale",
                table="marts.build_runs",
                column="success",
                value_set=[True],
            ),
            critical(
                "expect_column_values_to_be_between",
                "files were loaded after the latest build started: the marts leave them out, so run `concordat "
                "build` before validating and publishing",
                table="raw.ingest_log",
                column="files_loaded_since",
                min_value=0,
                max_value=0,
            ),
        ],
    )


def reconcile_suites() -> list[Suite]:
    return [build_status_suite(), ingest_log_suite(), fact_lineage_suite(), kpi_totals_suite()]
