"""Every SQL statement the dashboard runs, in one place, each parameterised (no SQL is built from user input).

The serving file is opened read-only, and the one connection is kept only while the file's version (inode,
modification time, size) is unchanged: `concordat publish` swaps the file by rename, the next query sees a new
version, closes the old connection and opens the new file (DuckDB would otherwise hand back its cached instance
of the old file). Opening costs ~50 ms, so a connection per query would dominate page time. Results are cached
with ``st.cache_data`` keyed on the same version, so a publish shows new data without restarting the server.
Only the tables and columns listed in docs/ARCHITECTURE.md ("Tables the dashboard reads") are used.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

Version = tuple[int, int, int]
Param = str | int | float | dt.date | None | tuple[str, ...]


@dataclass(frozen=True)
class QueryTiming:
    name: str
    seconds: float


#: When a list, every query's timing is appended to it (the benchmark sets it; see ``recording``).
RECORDER: list[QueryTiming] | None = None


@dataclass
class Serving:
    """The serving file as a query target. ``cached=False`` and ``timings`` are for the benchmark."""

    path: Path
    cached: bool = True
    timings: list[QueryTiming] | None = field(default=None, repr=False)

    def version(self) -> Version:
        return file_version(self.path)

    def query(self, name: str, sql: str, params: Sequence[Param] = ()) -> pd.DataFrame:
        started = time.perf_counter()
        frozen = tuple(params)
        if self.cached:
            frame = _cache()(str(self.path), self.version(), sql, frozen)
        else:
            frame = execute(self.path, sql, frozen)
        timing = QueryTiming(name, time.perf_counter() - started)
        for sink in (self.timings, RECORDER):
            if sink is not None:
                sink.append(timing)
        return frame


def file_version(path: Path | str) -> Version:
    stat = os.stat(path)
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


_LOCK = threading.Lock()
_OPEN: dict[str, tuple[Version, duckdb.DuckDBPyConnection]] = {}


def execute(path: Path | str, sql: str, params: Sequence[Param]) -> pd.DataFrame:
    """Run one query read-only on the current version of the file (tuples become DuckDB lists).

    Queries run one at a time: they take milliseconds, and a connection is never closed under a running query.
    """
    values = [list(p) if isinstance(p, tuple) else p for p in params]
    key = str(Path(path).resolve())
    with _LOCK:
        version = file_version(key)
        held = _OPEN.get(key)
        if held is None or held[0] != version:
            if held is not None:
                held[1].close()
            _OPEN[key] = (version, duckdb.connect(key, read_only=True))
        cursor = _OPEN[key][1].cursor()
        try:
            return cursor.execute(sql, values).df()
        finally:
            cursor.close()


def close_all() -> None:
    """Close every held connection (tests and the benchmark, before they replace or delete a file)."""
    with _LOCK:
        for _, con in _OPEN.values():
            con.close()
        _OPEN.clear()


def _execute_version(path: str, version: Version, sql: str, params: tuple[Param, ...]) -> pd.DataFrame:
    """``version`` is part of the cache key only: a new serving file means new entries."""
    del version
    return execute(path, sql, params)


@functools.cache
def _cache() -> Callable[[str, Version, str, tuple[Param, ...]], pd.DataFrame]:
    """``_execute_version`` behind ``st.cache_data``, made on first use: only the app caches (a command line
    user of these queries, such as ``concordat report``, runs them uncached and outside a Streamlit runtime)."""
    return st.cache_data(show_spinner=False, max_entries=2000)(_execute_version)


# --- reference tables -------------------------------------------------------------------------------------


def areas(db: Serving) -> pd.DataFrame:
    """Areas that have KPI values: England and Wales first, then regions, then forces, each by name.

    `shown_name` says when England and Wales or a region is only the forces whose data is loaded:
    `England and Wales (3 of 44 forces loaded)`, so its totals are not read as the national ones."""
    return db.query(
        "areas",
        """
        with loaded as (select distinct area_code from marts.kpi_values),
        forces as (
            select area_code, parent_area_code, area_code in (select area_code from loaded) as has_data
            from marts.dim_area where area_type = 'force'
        ),
        members as (
            select 'EW' as area_code, count(*) as forces, count(*) filter (where has_data) as with_data
            from forces
            union all
            select parent_area_code, count(*), count(*) filter (where has_data)
            from forces where parent_area_code <> 'EW' group by parent_area_code
        )
        select a.area_code, a.area_name,
               case when m.with_data < m.forces
                    then a.area_name || ' (' || m.with_data || ' of ' || m.forces || ' forces loaded)'
                    else a.area_name end as shown_name,
               a.area_type, a.parent_area_code, a.population
        from marts.dim_area as a
        left join members as m on m.area_code = a.area_code
        where a.area_code in (select area_code from loaded)
        order by case a.area_type when 'national' then 0 when 'region' then 1 else 2 end, a.area_name
        """,
    )


def financial_years(db: Serving) -> pd.DataFrame:
    """The financial years the KPIs cover, oldest first."""
    return db.query(
        "financial_years",
        """
        select distinct p.period_label as financial_year, p.period_start, p.period_end
        from marts.dim_period as p
        where p.period_grain = 'financial_year'
          and exists (
              select 1 from marts.kpi_values as k
              where k.period_grain = 'financial_year' and k.period_start = p.period_start
          )
        order by p.period_start
        """,
    )


def kpi_catalogue(db: Serving) -> pd.DataFrame:
    return db.query(
        "kpi_catalogue",
        """
        select kpi_id, name, description, numerator_definition, denominator_definition, unit, direction, target,
               has_segments, source, spc_rebase_date
        from marts.dim_kpi
        order by kpi_id
        """,
    )


def serving_as_of(db: Serving) -> pd.DataFrame:
    """When the data being served was validated (the latest passing validation run)."""
    return db.query(
        "serving_as_of",
        "select max(finished_at) as validated_at from marts.dq_runs where success",
    )


# --- KPI values -------------------------------------------------------------------------------------------

_KPI_COLUMNS = """
    k.kpi_id, k.area_code, k.segment, k.period_grain, k.period_start, k.period_label, k.numerator, k.denominator,
    k.value, k.unit, k.ci_lower, k.ci_upper, k.is_suppressed
"""


def kpi_series(
    db: Serving,
    area_code: str,
    kpi_ids: Sequence[str],
    grain: str,
    until: dt.date,
    segments: Sequence[str] = ("all",),
) -> pd.DataFrame:
    """Values of some KPIs for one area at one grain, every period starting on or before ``until``."""
    return db.query(
        "kpi_series",
        f"""
        select {_KPI_COLUMNS}
        from marts.kpi_values as k
        where k.area_code = ? and list_contains(?, k.kpi_id) and k.period_grain = ?
          and list_contains(?, k.segment) and k.period_start <= ?
        order by k.kpi_id, k.segment, k.period_start
        """,
        (area_code, tuple(kpi_ids), grain, tuple(segments), until),
    )


def kpi_in_periods(
    db: Serving,
    area_code: str,
    kpi_ids: Sequence[str],
    grain: str,
    period_starts: Sequence[dt.date],
    segments: Sequence[str] = ("all",),
) -> pd.DataFrame:
    """Values of some KPIs for one area in the given periods (e.g. this and last financial year)."""
    return db.query(
        "kpi_in_periods",
        f"""
        select {_KPI_COLUMNS}
        from marts.kpi_values as k
        where k.area_code = ? and list_contains(?, k.kpi_id) and k.period_grain = ?
          and list_contains(?, k.segment) and list_contains(?, k.period_start)
        order by k.kpi_id, k.segment, k.period_start
        """,
        (area_code, tuple(kpi_ids), grain, tuple(segments), tuple(period_starts)),
    )


def kpi_across_forces(db: Serving, kpi_id: str, grain: str, period_start: dt.date) -> pd.DataFrame:
    """One KPI for every force in one period, with the force's name (for funnel plots)."""
    return db.query(
        "kpi_across_forces",
        f"""
        select {_KPI_COLUMNS}, a.area_name, a.population
        from marts.kpi_values as k
        join marts.dim_area as a on a.area_code = k.area_code
        where a.area_type = 'force' and k.kpi_id = ? and k.period_grain = ? and k.period_start = ?
          and k.segment = 'all'
        order by a.area_name
        """,
        (kpi_id, grain, period_start),
    )


def kpi_for_areas(db: Serving, area_codes: Sequence[str], kpi_id: str, grain: str) -> pd.DataFrame:
    """One KPI for several areas at one grain (an intervention's force and its comparators)."""
    return db.query(
        "kpi_for_areas",
        f"""
        select {_KPI_COLUMNS}
        from marts.kpi_values as k
        where list_contains(?, k.area_code) and k.kpi_id = ? and k.period_grain = ? and k.segment = 'all'
        order by k.area_code, k.period_start
        """,
        (tuple(area_codes), kpi_id, grain),
    )


# --- SPC --------------------------------------------------------------------------------------------------


def spc_points(db: Serving, area_code: str, kpi_id: str, until: dt.date, segment: str = "all") -> pd.DataFrame:
    return db.query(
        "spc_points",
        """
        select period_start, value, mean, lcl, ucl, point_type, rule
        from marts.spc_points
        where area_code = ? and kpi_id = ? and segment = ? and period_grain = 'month' and period_start <= ?
        order by period_start
        """,
        (area_code, kpi_id, segment, until),
    )


def spc_summaries(db: Serving, area_code: str, kpi_ids: Sequence[str], until: dt.date) -> pd.DataFrame:
    """Per KPI (segment all): the assurance icon, and the last monthly SPC point up to `until` (the end of the
    chosen year) with the KPI's direction, from which the variation icon of that month is read."""
    return db.query(
        "spc_summaries",
        """
        with last_points as (
            select kpi_id, point_type, period_start,
                   row_number() over (partition by kpi_id order by period_start desc) as recency
            from marts.spc_points
            where area_code = ? and list_contains(?, kpi_id) and segment = 'all' and period_grain = 'month'
              and period_start <= ?
        )
        select s.kpi_id, s.variation_icon is not null as judged, s.assurance_icon, p.point_type,
               p.period_start as last_period_start, k.direction
        from marts.spc_summary as s
        left join last_points as p on p.kpi_id = s.kpi_id and p.recency = 1
        left join marts.dim_kpi as k on k.kpi_id = s.kpi_id
        where s.area_code = ? and list_contains(?, s.kpi_id) and s.segment = 'all'
        """,
        (area_code, tuple(kpi_ids), until, area_code, tuple(kpi_ids)),
    )


# --- interventions ----------------------------------------------------------------------------------------


def interventions(db: Serving) -> pd.DataFrame:
    return db.query(
        "interventions",
        """
        select i.intervention_id, i.area_code, a.area_name, i.type, i.name, i.start_date, i.end_date, i.description,
               i.origin, i.kpi_id
        from marts.dim_intervention as i
        left join marts.dim_area as a on a.area_code = i.area_code
        order by a.area_name, i.start_date, i.intervention_id
        """,
    )


def intervention_impact(db: Serving, intervention_id: str) -> pd.DataFrame:
    return db.query(
        "intervention_impact",
        """
        select intervention_id, area_code, kpi_id, method, estimate, ci_lower, ci_upper, p_value, months_before,
               months_after, comparator_areas, step_change, step_ci_lower, step_ci_upper, note
        from marts.intervention_impact
        where intervention_id = ?
        order by kpi_id, method
        """,
        (intervention_id,),
    )


def intervention_series(db: Serving, intervention_id: str, kpi_id: str) -> pd.DataFrame:
    """The monthly ITS series, with each observed month's disclosure fields from kpi_values (unit, numerator,
    denominator, is_suppressed): a published view hides the observed months kpi_values hides."""
    return db.query(
        "intervention_series",
        """
        select s.period_start, s.observed, s.fitted, s.counterfactual, s.is_post,
               k.unit, k.numerator, k.denominator, coalesce(k.is_suppressed, false) as is_suppressed
        from marts.intervention_impact_series as s
        left join marts.kpi_values as k
            on k.kpi_id = s.kpi_id and k.area_code = s.area_code and k.segment = 'all'
            and k.period_grain = 'month' and k.period_start = s.period_start
        where s.intervention_id = ? and s.kpi_id = ?
        order by s.period_start
        """,
        (intervention_id, kpi_id),
    )


# --- published statistics ---------------------------------------------------------------------------------


#: NHS Digital publishes for England only; shown beside England and Wales figures (and labelled so).
NHS_ENGLAND_CODE = "E92000001"


def published_figures(db: Serving, area_code: str) -> pd.DataFrame:
    """Published and record-level figures for an area; for England and Wales, NHS Digital's England figures too."""
    return db.query(
        "published_figures",
        """
        select financial_year, measure, category, source, count, is_suppressed
        from marts.published_s136
        where area_code = ?
           or (? = 'EW' and source = 'nhs_mha' and area_code = ?)
        order by financial_year, measure, category, source
        """,
        (area_code, area_code, NHS_ENGLAND_CODE),
    )


def placements_by_service(db: Serving, area_code: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Placements starting in [start, end] by setting and service, with their status, for an area's forces."""
    return db.query(
        "placements_by_service",
        """
        select p.setting, p.service,
               count(*) as started,
               count(*) filter (where p.status = 'Completed') as completed,
               count(*) filter (where p.status = 'Withdrawn') as withdrawn,
               count(*) filter (where p.status not in ('Completed', 'Withdrawn')) as other
        from marts.fct_placements as p
        join marts.dim_area as a on a.area_code = p.area_code
        where (p.area_code = ? or a.parent_area_code = ? or ? = 'EW')
          and p.start_date between ? and ?
        group by p.setting, p.service
        order by p.setting, started desc, p.service
        """,
        (area_code, area_code, area_code, start, end),
    )


# --- data quality -----------------------------------------------------------------------------------------


def ingest_summary(db: Serving) -> pd.DataFrame:
    """Per source: the last file loaded and the totals of every attempt."""
    return db.query(
        "ingest_summary",
        """
        select source,
               arg_max(file, finished_at) filter (where status = 'loaded') as last_file,
               max(finished_at) filter (where status = 'loaded') as last_loaded_at,
               count(*) filter (where status = 'loaded') as files_loaded,
               count(*) filter (where status = 'duplicate') as duplicates,
               count(*) filter (where status in ('rejected', 'failed')) as files_rejected,
               coalesce(sum(rows_read), 0) as rows_read,
               coalesce(sum(rows_loaded), 0) as rows_loaded,
               coalesce(sum(rows_quarantined), 0) as rows_quarantined,
               coalesce(sum(rows_skipped), 0) as rows_skipped
        from raw.ingest_log
        group by source
        order by source
        """,
    )


def quarantine_reasons(db: Serving) -> pd.DataFrame:
    return db.query(
        "quarantine_reasons",
        """
        select source, column_name, reason, count(*) as rows
        from raw.quarantine
        group by source, column_name, reason
        order by rows desc, source, reason
        """,
    )


def periods_covered(db: Serving, area_code: str, kpi_ids: Sequence[str]) -> pd.DataFrame:
    """First and last month with a non-zero value of each source's volume KPI (what the data covers)."""
    return db.query(
        "periods_covered",
        """
        select kpi_id, min(period_start) as first_month, max(period_start) as last_month
        from marts.kpi_values
        where area_code = ? and list_contains(?, kpi_id) and period_grain = 'month' and segment = 'all'
          and value > 0
        group by kpi_id
        """,
        (area_code, tuple(kpi_ids)),
    )


def latest_validation(db: Serving) -> pd.DataFrame:
    return db.query(
        "latest_validation",
        """
        select run_id, started_at, finished_at, success, critical_failed, warning_failed
        from marts.dq_runs
        order by finished_at desc nulls last
        limit 1
        """,
    )


def validation_results(db: Serving, run_id: str) -> pd.DataFrame:
    return db.query(
        "validation_results",
        """
        select suite, expectation, table_name, column_name, severity, success, observed_value
        from marts.dq_results
        where run_id = ?
        order by success, case severity when 'critical' then 0 else 1 end, suite, table_name, expectation
        """,
        (run_id,),
    )
