{#- Monthly force-level KPI counts rolled up to every grain (month, quarter, financial_year) and area (force,
    region, EW), over the spine so empty periods are zeros. By the KPI's aggregation (kpi_definitions):
    count / percent: sums of numerator and denominator; cumulative: running total of the period sums from the
    start of the data; rate: the count over the population of the area's loaded forces in that financial year
    (seed population_estimates, else the force's approximate population); median / mean: of the individual
    values (denominator = how many values). -#}
with kpis as (
    select
        kpi_id,
        aggregation
    from {{ ref('kpi_definitions') }}
),

counts as (
    select * from {{ ref('int_kpi_monthly__s136') }}
    union all
    select * from {{ ref('int_kpi_monthly__custody') }}
    union all
    select * from {{ ref('int_kpi_monthly__triage') }}
    union all
    select * from {{ ref('int_kpi_monthly__placements') }}
),

force_months as (
    select
        s.kpi_id,
        k.aggregation,
        s.force_code,
        s.segment,
        s.month_start,
        coalesce(c.numerator, 0) as numerator,
        case when k.aggregation = 'percent' then coalesce(c.denominator, 0) end as denominator
    from {{ ref('int_kpi_spine') }} as s
    inner join kpis as k on k.kpi_id = s.kpi_id
    left join counts as c
        on c.kpi_id = s.kpi_id and c.force_code = s.force_code and c.segment = s.segment
            and c.month_start = s.month_start
),

areas as (
    select
        area_code,
        force_code,
        population
    from {{ ref('int_area_members') }}
),

periods as (
    select
        month_start,
        period_grain,
        period_start
    from {{ ref('int_calendar__periods') }}
),

rolled as (
    select
        f.kpi_id,
        f.aggregation,
        a.area_code,
        f.segment,
        p.period_grain,
        p.period_start,
        sum(f.numerator) as numerator,
        sum(f.denominator) as denominator
    from force_months as f
    inner join areas as a on a.force_code = f.force_code
    inner join periods as p on p.month_start = f.month_start
    group by f.kpi_id, f.aggregation, a.area_code, f.segment, p.period_grain, p.period_start
),

measures as (
    select
        m.kpi_id,
        a.area_code,
        m.segment,
        p.period_grain,
        p.period_start,
        {{ median('m.measure') }} as median_value,
        avg(m.measure) as mean_value,
        count(*) as n_values
    from {{ ref('int_kpi_measures') }} as m
    inner join areas as a on a.force_code = m.force_code
    inner join periods as p on p.month_start = m.month_start
    group by m.kpi_id, a.area_code, m.segment, p.period_grain, p.period_start
),

s136_forces as (
    select distinct force_code
    from {{ ref('int_kpi_coverage') }}
    where source = 's136'
),

fy_years as (
    select distinct {{ date_part_int('year', financial_year_start('period_start')) }} as fy_year
    from periods
),

-- population of each area for each financial year's rates: the loaded s136 forces that belong to it, each with
-- its estimate for that year (seed population_estimates) or else its approximate population
area_population as (
    select
        a.area_code,
        y.fy_year,
        sum(coalesce(e.population, a.population)) as population
    from areas as a
    inner join s136_forces as c on c.force_code = a.force_code
    cross join fy_years as y
    left join {{ ref('population_estimates') }} as e on e.area_code = a.force_code and e.year = y.fy_year
    group by a.area_code, y.fy_year
)

select
    r.kpi_id,
    r.aggregation,
    r.area_code,
    r.segment,
    r.period_grain,
    r.period_start,
    case
        when r.aggregation = 'cumulative' then sum(r.numerator) over (
                partition by r.kpi_id, r.area_code, r.segment, r.period_grain
                order by r.period_start
                rows between unbounded preceding and current row
            )
        when r.aggregation in ('median', 'mean') then null
        else r.numerator
    end as numerator,
    case
        when r.aggregation = 'percent' then r.denominator
        when r.aggregation = 'rate' then ap.population
        when r.aggregation in ('median', 'mean') then coalesce(m.n_values, 0)
    end as denominator,
    case
        when r.aggregation = 'median' then m.median_value
        when r.aggregation = 'mean' then m.mean_value
    end as measured_value,
    ap.population
from rolled as r
left join measures as m
    on m.kpi_id = r.kpi_id and m.area_code = r.area_code and m.segment = r.segment
        and m.period_grain = r.period_grain and m.period_start = r.period_start
left join area_population as ap
    on ap.area_code = r.area_code and ap.fy_year = {{ date_part_int('year', financial_year_start('r.period_start')) }}
