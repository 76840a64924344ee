-- A PCC analyst's starting query: one area's KPIs for the latest financial year, hiding suppressed values as a
-- published view must. Compile with `dbt compile --select kpi_values_for_area` and run it in DuckDB.
with latest as (
    select max(period_start) as period_start
    from {{ ref('kpi_values') }}
    where period_grain = 'financial_year'
)

select
    k.name,
    v.period_label,
    case when v.is_suppressed then null else v.value end as value,
    k.unit,
    case when v.is_suppressed then null else v.ci_lower end as ci_lower,
    case when v.is_suppressed then null else v.ci_upper end as ci_upper,
    v.is_suppressed
from {{ ref('kpi_values') }} as v
inner join {{ ref('dim_kpi') }} as k on k.kpi_id = v.kpi_id
inner join latest as l on l.period_start = v.period_start
where v.period_grain = 'financial_year'
    and v.area_code = '{{ var("area_code", "EW") }}'
    and v.segment = 'all'
order by k.kpi_id
