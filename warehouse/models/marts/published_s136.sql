{#- Published s136 figures beside Concordat's own: one row per (financial year, area, measure, category, source).
    source ho_s136: the Home Office police-side figures as loaded (measures and categories of the ho_s136
    contract); nhs_mha: NHS Digital's England figures for s136 orders (area E92000001: detentions / All, sex by
    gender, age_band with 18 to 64 and 65 and over summed; England only and excluding police-station places of
    safety, so they differ from police counts);
    record_level: Concordat's count of section 136 detentions for the same measures, for every force, region and
    EW the record-level data covers. is_suppressed: counts 1..4, or suppressed at source; and, for record_level,
    secondary suppression (macros/disclosure.sql) where a shown total would give a hidden count away, or shown
    parts a hidden total: the
    categories of a measure add up to the area's detentions (police_vehicle_reason to transport = Police vehicle,
    police_station_reason to first_place_of_safety = Police station), and forces to their region and EW. -#}
{%- set t = var('suppression_threshold') -%}
{%- set measures = ['first_place_of_safety', 'transport', 'police_vehicle_reason', 'age_band', 'sex', 'ethnicity',
    'police_station_reason'] -%}

with detentions as (
    select
        a.area_code,
        {{ financial_year_label('d.detained_on') }} as financial_year,
        d.*
    from {{ ref('int_s136__detentions_enriched') }} as d
    inner join {{ ref('int_area_members') }} as a on a.force_code = d.force_code
    where d.section = '136'
),

record_level as (
    select
        financial_year,
        area_code,
        'detentions' as measure,
        'All' as category,
        count(*) as published_count
    from detentions
    group by financial_year, area_code
    {%- for m in measures %}
        union all
        select
            financial_year,
            area_code,
            '{{ m }}' as measure,
            {{ m }} as category,
            count(*) as published_count
        from detentions
        where {{ m }} is not null
        group by financial_year, area_code, {{ m }}
    {%- endfor %}
),

cells as (
    select
        *,
        published_count as cell_size,
        published_count between 1 and {{ t - 1 }} as is_primary_suppressed,
        row_number() over (order by financial_year, area_code, measure, category) as cell_id
    from record_level
),

-- the total each measure's categories add up to
measure_totals as (
    select
        'police_vehicle_reason' as measure,
        'transport' as total_measure,
        'Police vehicle' as total_category
    union all
    select
        'police_station_reason' as measure,
        'first_place_of_safety' as total_measure,
        'Police station' as total_category
    {%- for m in measures if m not in ('police_vehicle_reason', 'police_station_reason') %}
        union all
        select
            '{{ m }}' as measure,
            'detentions' as total_measure,
            'All' as total_category
    {%- endfor %}
),

links as (
    select
        c.cell_id as child_id,
        p.cell_id as parent_id,
        c.measure as family
    from cells as c
    inner join measure_totals as mt on mt.measure = c.measure
    inner join cells as p
        on p.financial_year = c.financial_year and p.area_code = c.area_code and p.measure = mt.total_measure
            and p.category = mt.total_category
    union all
    {{ area_links('cells', ['financial_year', 'measure', 'category']) }}
),

{{ secondary_suppression('cells', 'links', var('secondary_suppression_passes')) }},

nhs_rows as (
    select
        financial_year,
        case lower(demographic) when 'gender' then 'sex' when 'age group' then 'age_band' else 'detentions' end
            as measure,
        case
            when lower(demographic) = 'total' then 'All'
            when lower(demographic_breakdown) = 'unknown' then 'Not known'
            when lower(demographic) = 'age group' and lower(demographic_breakdown) = 'under 18' then 'Under 18'
            when lower(demographic) = 'age group' then '18 and over'
            else demographic_breakdown
        end as category,
        total_count,
        coalesce(is_suppressed, false) or total_count is null as is_missing
    from {{ ref('stg_nhs_mha__short_term_orders') }}
    where measure_subcategory = 'Section 136'
        and lower(organisation_breakdown) = 'england'
        and lower(demographic) in ('total', 'gender', 'age group')
),

-- NHS age groups 18 to 64 and 65 and over add up to 18 and over; a sum with a suppressed part is suppressed
nhs as (
    select
        financial_year,
        'E92000001' as area_code,
        measure,
        category,
        case when max(case when is_missing then 1 else 0 end) = 0 then sum(total_count) end as published_count,
        max(case when is_missing then 1 else 0 end) = 1 as is_suppressed_at_source
    from nhs_rows
    group by financial_year, measure, category
)

select
    financial_year,
    area_code,
    measure,
    category,
    'ho_s136' as source,
    cast(published_count as {{ dbt.type_bigint() }}) as {{ adapter.quote('count') }},
    published_count between 1 and {{ t - 1 }} as is_suppressed
from {{ ref('stg_ho_s136__published_figures') }}
union all
select
    financial_year,
    area_code,
    measure,
    category,
    'nhs_mha' as source,
    cast(published_count as {{ dbt.type_bigint() }}) as {{ adapter.quote('count') }},
    is_suppressed_at_source or coalesce(published_count between 1 and {{ t - 1 }}, false) as is_suppressed
from nhs
union all
select
    financial_year,
    area_code,
    measure,
    category,
    'record_level' as source,
    cast(published_count as {{ dbt.type_bigint() }}) as {{ adapter.quote('count') }},
    is_primary_suppressed or cell_id in (select s.cell_id from secondarily_suppressed as s) as is_suppressed
from cells
