{#- The s136 KPIs of docs/specs/kpis.md, each defined once here as (numerator condition, denominator condition)
    over section 136 detentions, counted per force, segment and month of detention (detained_at). A KPI without a
    denominator condition is a plain count. Segmented KPIs (has_segments in kpi_definitions) keep every segment;
    the others keep `all`. s136_rate_per_100k reuses the count: int_kpi_rollup divides it by population. -#}
{%- set kpis = [
    ('s136_detentions', 'true', none),
    ('s136_rate_per_100k', 'true', none),
    ('pos_police_station_pct', "first_place_of_safety = 'Police station'", "first_place_of_safety <> 'Not known'"),
    ('pos_emergency_dept_pct', "first_place_of_safety = 'Emergency department'", "first_place_of_safety <> 'Not known'"),
    ('pos_hbpos_pct', "first_place_of_safety = 'Health-based place of safety'", "first_place_of_safety <> 'Not known'"),
    ('u18_police_station', "age_band = 'Under 18' and first_place_of_safety = 'Police station'", none),
    ('conveyed_by_ambulance_pct', "transport in ('Ambulance', 'Other health vehicle')",
        "transport not in ('Not known', 'None (already at place of safety)')"),
    ('consulted_hp_pct', "consulted_health_professional = 'Yes'",
        "consulted_health_professional in ('Yes', 'No', 'Not practicable')"),
    ('detention_over_24h_pct', 'duration_hours > 24', 'duration_hours is not null'),
    ('repeat_detention_pct', 'is_repeat_detention', 'person_id is not null'),
    ('s136_conversion_pct', "outcome in ('Admitted informally', 'Detained s2', 'Detained s3')", "outcome <> 'Not known'"),
    ('s136_nfa_pct', "outcome = 'No further action'", "outcome <> 'Not known'"),
    ('s136_after_triage_pct', 'has_matched_triage_contact', 'true'),
    ('s136_by_placed_officer_pct', 'is_officer_placed', 'officer_id is not null'),
    ('dq_unknown_pos_pct', "coalesce(first_place_of_safety, 'Not known') = 'Not known'", 'true'),
    ('dq_unknown_transport_pct', "coalesce(transport, 'Not known') = 'Not known'", 'true'),
    ('dq_missing_person_id_pct', 'person_id is null', 'true'),
] -%}

with detentions as (
    select * from {{ ref('int_s136__detentions_enriched') }}
    where section = '136'
),

segmented as (
    select
        d.*,
        s.segment
    from detentions as d
    inner join {{ ref('int_s136__detention_segments') }} as s
        on s.force_code = d.force_code and s.detention_id = d.detention_id
),

{{ kpi_monthly_counts(kpis, 'segmented', segment_column='segment') }}
