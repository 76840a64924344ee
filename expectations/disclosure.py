"""Secondary suppression, checked on the published KPI table from scratch (not with the build's own links).

A total shown beside its parts with exactly one part suppressed gives that part away by subtraction (specs/kpis.md,
disclosure control). The parts of a total, along the three hierarchies ``marts.kpi_values`` publishes:

- segment: the segments of one partition (``sex:…``, ``ethnicity:…``, ``age:…``, ``officer_…``) -> ``all``;
- area: the forces of a region -> the region, every force (BTP included) -> EW, and the regions and BTP -> EW
  (EW less one region gives another; ``marts.dim_area``);
- period: the months of a quarter -> the quarter, the months and the quarters of a financial year -> the year
  (not for cumulative KPIs, whose year is its last month, not a sum).

and of ``marts.published_s136``'s record-level counts (by financial year):

- published_measure: a measure's categories -> the area's detentions (police_vehicle_reason -> transport =
  Police vehicle; police_station_reason -> first_place_of_safety = Police station);
- published_area: forces -> their region and EW, regions and BTP -> EW.

A suppressed total is recoverable when none of its parts is suppressed and one has something in it (add them
up; parts all empty say only that they do not cover the total, e.g. age unknown). The batch has one row per
hierarchy: how many totals were checked, how many leave a part or themselves recoverable, and the first such total
as an example. (A total whose other parts are all empty equals its suppressed part: the build then suppresses the
total.)
"""

from __future__ import annotations

import duckdb
import pandas as pd

from expectations.errors import BatchUnavailable

HIERARCHIES = ("segment", "area", "period", "published_measure", "published_area")

_TOTAL = (
    "p.kpi_id, p.area_code, p.segment, p.period_grain, p.period_start, p.period_label, "
    "p.is_suppressed as total_suppressed"
)
#: marts.published_s136's record-level counts as totals: the measure and category, by area and financial year.
_PUBLISHED_TOTAL = (
    "'published_s136 ' || p.measure || ' = ' || p.category, p.area_code, '', 'financial_year', null, "
    "p.financial_year, p.is_suppressed"
)
#: The total a published measure's categories add up to (other measures: the area's detentions).
_MEASURE_TOTAL = """case c.measure
        when 'police_vehicle_reason' then ('transport', 'Police vehicle')
        when 'police_station_reason' then ('first_place_of_safety', 'Police station')
        else ('detentions', 'All') end"""
_PARTITION = "case when c.segment like 'officer_%' then 'officer' else split_part(c.segment, ':', 1) end"

RECOVERABLE_SQL = f"""
with k as (
    -- size: what a cell counts (the denominator of a percent, the values of a median or mean, else the numerator)
    select v.kpi_id, v.area_code, v.segment, v.period_grain, v.period_start, v.period_label, v.is_suppressed,
        case when d.aggregation in ('percent', 'median', 'mean') then v.denominator else v.numerator end as size
    from marts.kpi_values as v left join marts.dim_kpi as d on d.kpi_id = v.kpi_id
),
cumulative as (select kpi_id from marts.dim_kpi where aggregation = 'cumulative'),
forces as (select area_code, parent_area_code from marts.dim_area where area_type = 'force'),
-- the parts of EW one level down: each region, and each force in no region (BTP)
regions as (
    select area_code from marts.dim_area
    where area_type = 'region' or (area_type = 'force' and parent_area_code = 'EW')
),
pub as (
    select financial_year, area_code, measure, category, is_suppressed, count as size
    from marts.published_s136 where source = 'record_level'
),
parts as (
    select 'segment' as hierarchy, {_TOTAL}, {_PARTITION} as family, c.is_suppressed as part_suppressed,
        c.size as part_size
    from k as c join k as p
        on p.kpi_id = c.kpi_id and p.area_code = c.area_code and p.period_grain = c.period_grain
        and p.period_start = c.period_start and p.segment = 'all'
    where c.segment <> 'all'
    union all
    select 'area', {_TOTAL}, 'forces', c.is_suppressed, c.size
    from k as c join forces as f on f.area_code = c.area_code join k as p
        on p.kpi_id = c.kpi_id and p.segment = c.segment and p.period_grain = c.period_grain
        and p.period_start = c.period_start
        and (p.area_code = 'EW' or (p.area_code = f.parent_area_code and f.parent_area_code <> 'EW'))
    union all
    select 'area', {_TOTAL}, 'regions', c.is_suppressed, c.size
    from k as c join regions as r on r.area_code = c.area_code join k as p
        on p.kpi_id = c.kpi_id and p.segment = c.segment and p.period_grain = c.period_grain
        and p.period_start = c.period_start and p.area_code = 'EW'
    union all
    select 'period', {_TOTAL}, c.period_grain, c.is_suppressed, c.size
    from k as c join k as p
        on p.kpi_id = c.kpi_id and p.area_code = c.area_code and p.segment = c.segment
        and (
            (p.period_grain = 'quarter' and c.period_grain = 'month'
                and p.period_start = date_trunc('quarter', c.period_start))
            or (p.period_grain = 'financial_year' and c.period_grain in ('month', 'quarter')
                and p.period_start = date_trunc('year', c.period_start - interval 3 month) + interval 3 month)
        )
    where c.kpi_id not in (select kpi_id from cumulative)
    union all
    select 'published_measure', {_PUBLISHED_TOTAL}, c.measure, c.is_suppressed, c.size
    from pub as c join pub as p
        on p.financial_year = c.financial_year and p.area_code = c.area_code
        and (p.measure, p.category) = {_MEASURE_TOTAL}
    where c.measure <> 'detentions'
    union all
    select 'published_area', {_PUBLISHED_TOTAL}, 'forces', c.is_suppressed, c.size
    from pub as c join forces as f on f.area_code = c.area_code join pub as p
        on p.financial_year = c.financial_year and p.measure = c.measure and p.category = c.category
        and (p.area_code = 'EW' or (p.area_code = f.parent_area_code and f.parent_area_code <> 'EW'))
    union all
    select 'published_area', {_PUBLISHED_TOTAL}, 'regions', c.is_suppressed, c.size
    from pub as c join regions as r on r.area_code = c.area_code join pub as p
        on p.financial_year = c.financial_year and p.measure = c.measure and p.category = c.category
        and p.area_code = 'EW'
),
totals as (
    select hierarchy, kpi_id, area_code, segment, period_label, family,
           any_value(total_suppressed) as total_suppressed, count(*) filter (where part_suppressed) as suppressed_parts,
           count(*) filter (where not part_suppressed and part_size > 0) as shown_parts_with_a_size
    from parts
    group by hierarchy, kpi_id, area_code, segment, period_grain, period_start, period_label, family
),
judged as (
    select *,
        (not total_suppressed and suppressed_parts = 1)
        or (total_suppressed and suppressed_parts = 0 and shown_parts_with_a_size > 0) as recoverable
    from totals
)
select h.hierarchy,
       count(j.hierarchy) as totals_checked,
       count(*) filter (where j.recoverable) as recoverable_totals,
       min(case when j.recoverable then
           j.kpi_id || ' ' || j.area_code || ' ' || j.segment || ' ' || j.period_label || ' (parts: ' || j.family || ')'
       end) as example
from (select unnest(?::varchar[]) as hierarchy) as h
left join judged as j on j.hierarchy = h.hierarchy
group by h.hierarchy
order by h.hierarchy
"""


def recoverable_cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per hierarchy: totals checked, totals leaving a part (the only suppressed one) or themselves (suppressed, with
    every part shown) recoverable, and an example."""
    present = {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "and table_name in ('kpi_values', 'dim_kpi', 'dim_area', 'published_s136')"
        ).fetchall()
    }
    missing = sorted({"kpi_values", "dim_kpi", "dim_area", "published_s136"} - present)
    if missing:
        raise BatchUnavailable(f"marts.{missing[0]} does not exist (has the build run?)")
    return con.execute(RECOVERABLE_SQL, [list(HIERARCHIES)]).df()
