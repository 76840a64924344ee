{#- One row per street-triage contact, as recorded: what counts towards a KPI is defined once, in
    int_kpi_monthly__triage. -#}
select
    force_code as area_code,
    contact_id,
    contact_at,
    {{ month_start('contact_at') }} as month_start,
    model,
    person_id,
    officer_id,
    practitioner_role,
    response_minutes,
    is_s136_considered,
    outcome
from {{ ref('stg_triage__contacts') }}
