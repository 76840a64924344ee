{#- One row per street-triage contact. -#}
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
    outcome,
    outcome = 'S136 detention' as is_s136_detention,
    coalesce(is_s136_considered, false) and outcome <> 'S136 detention' as is_s136_averted
from {{ ref('stg_triage__contacts') }}
