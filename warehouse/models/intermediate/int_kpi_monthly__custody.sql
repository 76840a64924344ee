{#- Custody KPIs of docs/specs/kpis.md, counted per force and month of arrival at the custody suite.
    Inspector or above = Inspector, Chief Inspector, Superintendent or above (Not recorded is not). -#}
{%- set kpis = [
    ('custody_pos_episodes', 'true', none),
    ('custody_inspector_authorised_pct',
        "authorised_by_rank in ('Inspector', 'Chief Inspector', 'Superintendent or above')", 'true'),
    ('custody_hcp_present_pct', 'is_healthcare_professional_present', 'true'),
] -%}

with episodes as (
    select *, {{ month_start('arrived_at') }} as month_start
    from {{ ref('stg_custody__episodes') }}
),

{{ kpi_monthly_counts(kpis, 'episodes') }}
