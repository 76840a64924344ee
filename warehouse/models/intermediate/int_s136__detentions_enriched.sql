{#- One row per detention (s136 and s135) with what the KPIs need: its custody episode, its triage contact, the
    detaining officer's placement status on the detention date, the person's detention sequence and durations.
    officer_placed: the officer (same force, same pseudonym) had a placement with status Completed whose end_date
    is before the detention date (the day before counts; the same day does not). -#}
with detentions as (
    select * from {{ ref('stg_s136__detentions') }}
),

completed_placements as (
    select
        force_code,
        officer_id,
        end_date
    from {{ ref('stg_placements__placements') }}
    where status = 'Completed' and end_date is not null
),

officer_status as (
    select
        d.force_code,
        d.detention_id,
        max(p.end_date) as officer_last_placement_completed_on
    from detentions as d
    inner join completed_placements as p
        on p.force_code = d.force_code
            and p.officer_id = d.officer_id
            and p.end_date < {{ to_date('d.detained_at') }}
    group by d.force_code, d.detention_id
),

custody as (
    select
        force_code,
        detention_id,
        count(*) as custody_episodes,
        min(custody_record_id) as custody_record_id,
        min(arrived_at) as custody_arrived_at
    from {{ ref('stg_custody__episodes') }}
    where detention_id is not null
    group by force_code, detention_id
),

triage as (
    select
        force_code,
        contact_id,
        contact_at,
        outcome as triage_outcome
    from {{ ref('stg_triage__contacts') }}
),

sequence as (
    select * from {{ ref('int_s136__detention_sequence') }}
),

enriched as (
    select
        d.force_code,
        d.detention_id,
        d.detained_at,
        {{ to_date('d.detained_at') }} as detained_on,
        {{ month_start('d.detained_at') }} as month_start,
        d.section,
        d.person_id,
        d.officer_id,
        d.age,
        d.age_band,
        d.sex,
        d.ethnicity,
        d.consulted_health_professional,
        d.transport,
        d.police_vehicle_reason,
        d.first_place_of_safety,
        d.police_station_reason,
        d.arrived_pos_at,
        d.assessment_completed_at,
        d.released_at,
        d.outcome,
        d.triage_contact_id,
        t.contact_at as triage_contact_at,
        t.triage_outcome,
        t.contact_id is not null as has_matched_triage_contact,
        c.custody_record_id,
        coalesce(c.custody_episodes, 0) as custody_episodes,
        o.officer_last_placement_completed_on,
        case when d.officer_id is null then null else o.detention_id is not null end as is_officer_placed,
        s.detentions_in_365_days,
        case when d.person_id is null or d.section <> '136' then null
            else s.detentions_in_365_days >= 3
        end as is_repeat_detention,
        -- from arrival at the place of safety; from detention only for a person already there (not moved).
        -- Moved but arrival not recorded: unknown, not timed from detention (that would add the journey)
        case
            when d.released_at is null then null
            when d.arrived_pos_at is not null then {{ hours_between('d.arrived_pos_at', 'd.released_at') }}
            when d.transport = 'None (already at place of safety)'
            then {{ hours_between('d.detained_at', 'd.released_at') }}
        end as duration_hours,
        d.loaded_at
    from detentions as d
    left join officer_status as o on o.force_code = d.force_code and o.detention_id = d.detention_id
    left join custody as c on c.force_code = d.force_code and c.detention_id = d.detention_id
    left join triage as t on t.force_code = d.force_code and t.contact_id = d.triage_contact_id
    left join sequence as s on s.force_code = d.force_code and s.detention_id = d.detention_id
)

select * from enriched
