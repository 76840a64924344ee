{#- One row per measured value behind the median and mean KPIs, dated and placed by force:
    detention_median_hours (s136 detentions with a known duration, by detention month), custody_median_hours
    (custody episodes with a departure time, by arrival month), triage_median_response_minutes (contacts with a
    response time), placement_confidence_change (confidence_post - confidence_pre of completed placements with
    both scores, by end month). int_kpi_rollup takes the median or mean at each grain and area. -#}
select
    'detention_median_hours' as kpi_id,
    force_code,
    'all' as segment,
    month_start,
    cast(duration_hours as {{ type_double() }}) as measure
from {{ ref('int_s136__detentions_enriched') }}
where section = '136' and duration_hours is not null

union all

select
    'custody_median_hours' as kpi_id,
    force_code,
    'all' as segment,
    {{ month_start('arrived_at') }} as month_start,
    cast({{ hours_between('arrived_at', 'departed_at') }} as {{ type_double() }}) as measure
from {{ ref('stg_custody__episodes') }}
where departed_at is not null

union all

select
    'triage_median_response_minutes' as kpi_id,
    force_code,
    'all' as segment,
    {{ month_start('contact_at') }} as month_start,
    cast(response_minutes as {{ type_double() }}) as measure
from {{ ref('stg_triage__contacts') }}
where response_minutes is not null

union all

select
    'placement_confidence_change' as kpi_id,
    force_code,
    'all' as segment,
    {{ month_start('end_date') }} as month_start,
    cast(confidence_post - confidence_pre as {{ type_double() }}) as measure
from {{ ref('stg_placements__placements') }}
where status = 'Completed' and end_date is not null and confidence_pre is not null and confidence_post is not null
