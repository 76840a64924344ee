{#- Street-triage KPIs of docs/specs/kpis.md, counted per force and month of the contact. s136 averted: the
    officer was considering s136 (s136_considered true) and the outcome was not an s136 detention. -#}
{%- set kpis = [
    ('triage_contacts', 'true', none),
    ('triage_s136_pct', "outcome = 'S136 detention'", 'true'),
    ('triage_s136_averted', "is_s136_considered and outcome <> 'S136 detention'", none),
] -%}

with contacts as (
    select *, {{ month_start('contact_at') }} as month_start
    from {{ ref('stg_triage__contacts') }}
),

{{ kpi_monthly_counts(kpis, 'contacts') }}
