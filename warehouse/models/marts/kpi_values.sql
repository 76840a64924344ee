{#- Every KPI of docs/specs/kpis.md for every area (force, BTP, region, EW), segment and period the data covers:
    the interface the dashboard, reports, exports and tests read. value by unit: count = numerator; percent =
    100 x numerator / denominator (NULL when the denominator is 0); per_100k = numerator x 100000 / population;
    hours / minutes / score = median or mean of the values. 95% intervals: Wilson for percents, exact Poisson
    (O < 10) or Byar for counts and rates (rates scale the count's limits), none for medians and means.
    is_suppressed (disclosure control, var suppression_threshold, default 5): counts 1..4; a percent or rate
    whose numerator or denominator is 1..4; a median or mean of 1..4 values; and, secondary, when exactly one
    segment of a partition (officer, age, sex, ethnicity) is suppressed and the `all` row is not, the next
    smallest segment (by denominator) of that partition. -#}
{%- set t = var('suppression_threshold') -%}

with rolled as (
    select * from {{ ref('int_kpi_rollup') }}
),

kpis as (
    select
        kpi_id,
        unit
    from {{ ref('kpi_definitions') }}
),

valued as (
    select
        r.kpi_id,
        r.area_code,
        r.segment,
        r.period_grain,
        r.period_start,
        r.aggregation,
        r.numerator,
        r.denominator,
        k.unit,
        case
            when r.aggregation = 'percent' then
                case when r.denominator > 0 then 100.0 * cast(r.numerator as {{ type_double() }}) / r.denominator end
            when r.aggregation = 'rate' then
                case when r.population > 0 then 100000.0 * cast(r.numerator as {{ type_double() }}) / r.population end
            when r.aggregation in ('median', 'mean') then r.measured_value
            else cast(r.numerator as {{ type_double() }})
        end as value,
        case
            when r.aggregation = 'percent' then {{ wilson_interval('r.numerator', 'r.denominator', 'lower') }}
            when r.aggregation = 'rate' then
                case
                    when r.population > 0 then
                        {{ poisson_interval('r.numerator', 'lower', 'pl') }} * 100000.0 / r.population
                end
            when r.aggregation in ('count', 'cumulative') then {{ poisson_interval('r.numerator', 'lower', 'pl') }}
        end as ci_lower,
        case
            when r.aggregation = 'percent' then {{ wilson_interval('r.numerator', 'r.denominator', 'upper') }}
            when r.aggregation = 'rate' then
                case
                    when r.population > 0 then
                        {{ poisson_interval('r.numerator', 'upper', 'pl') }} * 100000.0 / r.population
                end
            when r.aggregation in ('count', 'cumulative') then {{ poisson_interval('r.numerator', 'upper', 'pl') }}
        end as ci_upper,
        case
            when r.aggregation in ('count', 'cumulative', 'rate') then r.numerator between 1 and {{ t - 1 }}
            when r.aggregation = 'percent' then
                r.numerator between 1 and {{ t - 1 }} or r.denominator between 1 and {{ t - 1 }}
            else r.denominator between 1 and {{ t - 1 }}
        end as is_primary_suppressed,
        coalesce(case when r.aggregation = 'percent' then r.denominator else r.numerator end, 0) as cell_size
    from rolled as r
    inner join kpis as k on k.kpi_id = r.kpi_id
    left join {{ ref('poisson_exact_limits') }} as pl on pl.observed = r.numerator
),

cells as (
    select
        v.*,
        s.partition_name,
        sum(case when v.is_primary_suppressed then 1 else 0 end) over (
            partition by v.kpi_id, v.area_code, v.period_grain, v.period_start, s.partition_name
        ) as suppressed_in_partition,
        row_number() over (
            partition by v.kpi_id, v.area_code, v.period_grain, v.period_start, s.partition_name
            order by
                case when not v.is_primary_suppressed and v.cell_size > 0 then 0 else 1 end, v.cell_size,
                v.segment
        ) as size_rank
    from valued as v
    inner join {{ ref('int_kpi_segments') }} as s on s.segment = v.segment
),

totals as (
    select
        kpi_id,
        area_code,
        period_grain,
        period_start,
        is_primary_suppressed as is_total_suppressed
    from valued
    where segment = 'all'
)

select
    c.kpi_id,
    c.area_code,
    c.segment,
    c.period_grain,
    c.period_start,
    p.period_label,
    cast(c.numerator as {{ dbt.type_bigint() }}) as numerator,
    cast(c.denominator as {{ dbt.type_bigint() }}) as denominator,
    cast(c.value as {{ type_double() }}) as value,
    c.unit,
    c.ci_lower,
    c.ci_upper,
    (
        c.is_primary_suppressed
        or (
            c.partition_name <> 'all'
            and c.suppressed_in_partition = 1
            and not t.is_total_suppressed
            and c.size_rank = 1
            and c.cell_size > 0
        )
    ) as is_suppressed
from cells as c
inner join {{ ref('dim_period') }} as p on p.period_grain = c.period_grain and p.period_start = c.period_start
left join totals as t
    on t.kpi_id = c.kpi_id and t.area_code = c.area_code and t.period_grain = c.period_grain
        and t.period_start = c.period_start
