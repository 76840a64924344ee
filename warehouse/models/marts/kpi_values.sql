{#- Every KPI of docs/specs/kpis.md for every area (force, BTP, region, EW), segment and period the data covers:
    the interface the dashboard, reports, exports and tests read. value by unit: count = numerator; percent =
    100 x numerator / denominator (NULL when the denominator is 0); per_100k = numerator x 100000 / population;
    hours / minutes / score = median or mean of the values. 95% intervals: Wilson for percents, exact Poisson
    (O < 10) or Byar for counts and rates (rates scale the count's limits), none for medians and means.

    is_suppressed (disclosure control, var suppression_threshold, default 5). Primary: counts 1..4; a percent or
    rate whose numerator or denominator is 1..4; a median or mean of 1..4 values. Secondary: a cell is one row's
    numerator and denominator, and a total is the sum of its parts along three hierarchies - the segments of a
    partition (officer, age, sex, ethnicity) add up to `all`; the forces of a region, and all forces and BTP, to
    the region and EW; the months of a quarter, and the months or the quarters of a financial year, to that year
    (not for cumulative KPIs). Where a shown total has exactly one suppressed part, that part could be recovered
    by subtraction, so the next smallest part with something in it (cell size: the denominator of a percent, the
    number of values of a median or mean, else the numerator) is suppressed too - or, where no other part has
    anything in it, the total (it equals the part). Each such suppression can
    expose a cell along another hierarchy, so this is repeated (var secondary_suppression_passes) until nothing
    changes; the validation suite marts_kpi_values checks independently that no cell is left recoverable. -#}
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
    select
        c.cell_id as child_id,
        p.cell_id as parent_id,
        'forces' as family
    from cells as c
    inner join {{ ref('int_area_members') }} as m on m.force_code = c.area_code and m.area_type <> 'force'
    inner join cells as p
        on p.kpi_id = c.kpi_id and p.area_code = m.area_code and p.segment = c.segment
            and p.period_grain = c.period_grain and p.period_start = c.period_start
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

{# Pass 1 judges every total; pass i > 1 only the totals with a part (or the total) newly suppressed in pass
    i - 1, the only ones whose verdict can change. added_i: every cell suppressed by passes 1..i. #}
added_0 as (
    select cell_id from cells
    where 1 = 0
),
{% for i in range(1, passes + 1) %}
    {%- if i > 1 %}
        touched_{{ i }} as (
            select
                l.parent_id,
                l.family
            from links as l
            inner join new_{{ i - 1 }} as n on n.cell_id = l.child_id
            union
            select
                l.parent_id,
                l.family
            from links as l
            inner join new_{{ i - 1 }} as n on n.cell_id = l.parent_id
        ),
    {% endif %}
    parts_{{ i }} as (
        select
            l.child_id,
            l.parent_id,
            l.family,
            c.cell_size,
            c.is_primary_suppressed or ac.cell_id is not null as is_suppressed,
            p.is_primary_suppressed or ap.cell_id is not null as is_total_suppressed
        from links as l
            {%- if i > 1 %}
            inner join touched_{{ i }} as t on t.parent_id = l.parent_id and t.family = l.family
            {%- endif %}
        inner join cells as c on c.cell_id = l.child_id
        inner join cells as p on p.cell_id = l.parent_id
        left join added_{{ i - 1 }} as ac on ac.cell_id = l.child_id
        left join added_{{ i - 1 }} as ap on ap.cell_id = l.parent_id
    ),

    totals_{{ i }} as (
        select
            *,
            sum(case when is_suppressed then 1 else 0 end) over (partition by parent_id, family) as suppressed_parts,
            sum(case when not is_suppressed and cell_size > 0 then 1 else 0 end) over (
                partition by parent_id, family
            ) as candidate_parts,
            row_number() over (
                partition by parent_id, family
                order by case when not is_suppressed and cell_size > 0 then 0 else 1 end, cell_size, child_id
            ) as size_rank
        from parts_{{ i }}
    ),

{# Per total shown with exactly one suppressed part: the smallest other part with a size or, when no other part
    has anything in it, the total itself (it equals the suppressed part). #}
    new_{{ i }} as (
        select child_id as cell_id
        from totals_{{ i }}
        where suppressed_parts = 1 and not is_total_suppressed and size_rank = 1 and candidate_parts > 0
        union
        select parent_id as cell_id
        from totals_{{ i }}
        where suppressed_parts = 1 and not is_total_suppressed and candidate_parts = 0
    ),

    added_{{ i }} as (
        select cell_id from added_{{ i - 1 }}
        union all
        select cell_id from new_{{ i }}
    ){{ "," if not loop.last }}
{% endfor %}

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
    c.is_primary_suppressed or c.cell_id in (select a.cell_id from added_{{ passes }} as a) as is_suppressed
from cells as c
inner join {{ ref('dim_period') }} as p on p.period_grain = c.period_grain and p.period_start = c.period_start
