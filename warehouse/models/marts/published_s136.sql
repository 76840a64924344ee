{#- Published s136 figures beside Concordat's own: one row per (financial year, area, measure, category, source).
    source ho_s136: the Home Office police-side figures as loaded (measures and categories of the ho_s136
    contract); nhs_mha: NHS Digital's England figures for s136 orders (area E92000001: detentions / All, sex by
    gender, age_band with 18 to 64 and 65 and over summed; England only and excluding police-station places of
    safety, so they differ from police counts);
    record_level: Concordat's count of section 136 detentions for the same measures, for every force, region and
    EW the record-level data covers. is_suppressed: counts 1..4, or suppressed at source. -#}
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
    published_count between 1 and {{ t - 1 }} as is_suppressed
from record_level
