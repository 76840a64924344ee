{#- Every KPI of docs/specs/kpis.md for every area (force, BTP, region, EW), segment and period the data covers:
    the interface the dashboard, reports, exports and tests read. value by unit: count = numerator; percent =
    100 x numerator / denominator (NULL when the denominator is 0); per_100k = numerator x 100000 / population;
    hours / minutes / score = median or mean of the values. 95% intervals: Wilson for percents, exact Poisson
    (O < 10) or Byar for counts and rates (rates scale the count's limits), none for medians and means.

    is_suppressed (disclosure control, var suppression_threshold, default 5). Primary: counts 1..4; a percent or
    rate whose numerator or denominator is 1..4; a median or mean of 1..4 values. Secondary: a cell is one row's
    numerator and denominator, and a total is the sum of its parts along three hierarchies - the segments of a
    partition (officer, age, sex, ethnicity) add up to `all`; the forces of a region, and all forces and BTP, to
    the region and EW, and the regions and BTP to EW; the months of a quarter, and the months or the quarters of a financial year, to that year
    (not for cumulative KPIs). Where a shown total has exactly one suppressed part, that part could be recovered
    by subtraction, so the next smallest part with something in it (cell size: the denominator of a percent, the
    number of values of a median or mean, else the numerator) is suppressed too - or, where no other part has
    anything in it, the total (it equals the part). Where a suppressed total has no suppressed part, adding the
    parts up would give it away, so the smallest part with something in it is suppressed. Each such suppression can
    expose a cell along another hierarchy, so this is repeated, var secondary_suppression_passes times; the
    validation suite marts_kpi_disclosure checks independently that no cell is left recoverable. -#}
{%- set t = var('suppression_threshold') -%}
{%- set passes = var('secondary_suppression_passes') -%}

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
        coalesce(
            case when r.aggregation in ('percent', 'median', 'mean') then r.denominator else r.numerator end, 0
        ) as cell_size
    from rolled as r
    inner join kpis as k on k.kpi_id = r.kpi_id
    left join {{ ref('poisson_exact_limits') }} as pl on pl.observed = r.numerator
),

cells as (
    select
        v.*,
        row_number() over (
            order by v.kpi_id, v.area_code, v.segment, v.period_grain, v.period_start
        ) as cell_id
    from valued as v
),

{# child_id is a part of total parent_id; family tells apart the sets of parts one total has (EW: its forces;
    a financial year: its months, and its quarters). #}
links as (
    select
        c.cell_id as child_id,
        p.cell_id as parent_id,
        s.partition_name as family
    from cells as c
    inner join {{ ref('int_kpi_segments') }} as s on s.segment = c.segment and s.partition_name <> 'all'
    inner join cells as p
        on p.kpi_id = c.kpi_id and p.area_code = c.area_code and p.period_grain = c.period_grain
            and p.period_start = c.period_start and p.segment = 'all'
    union all
    {{ area_links('cells', ['kpi_id', 'segment', 'period_grain', 'period_start']) }}
    union all
    select
        c.cell_id as child_id,
        p.cell_id as parent_id,
        c.period_grain as family
    from cells as c
    inner join cells as p
        on p.kpi_id = c.kpi_id and p.area_code = c.area_code and p.segment = c.segment
            and (
                (
                    p.period_grain = 'quarter' and c.period_grain = 'month'
                    and p.period_start = {{ quarter_start('c.period_start') }}
                )
                or (
                    p.period_grain = 'financial_year' and c.period_grain in ('month', 'quarter')
                    and p.period_start = {{ financial_year_start('c.period_start') }}
                )
            )
    where c.aggregation <> 'cumulative'
),

{{ secondary_suppression('cells', 'links', passes) }}

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
    c.is_primary_suppressed or c.cell_id in (select a.cell_id from secondarily_suppressed as a) as is_suppressed
from cells as c
inner join {{ ref('dim_period') }} as p on p.period_grain = c.period_grain and p.period_start = c.period_start
