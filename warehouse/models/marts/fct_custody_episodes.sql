{#- One row per custody episode used as a place of safety, with its length in hours; what counts towards a KPI
    is defined once, in int_kpi_monthly__custody. -#}
select
    force_code as area_code,
    custody_record_id,
    detention_id,
    person_id,
    arrived_at,
    departed_at,
    {{ month_start('arrived_at') }} as month_start,
    {{ hours_between('arrived_at', 'departed_at') }} as episode_hours,
    age,
    authorised_by_rank,
    reason,
    is_healthcare_professional_present,
    welfare_checks_recorded,
    is_transferred_to_hbpos,
    outcome
from {{ ref('stg_custody__episodes') }}
