{#- Officer-placement KPIs of docs/specs/kpis.md. Each placement event is dated by what the KPI counts:
    started = start_date; ended = end_date (completion % = Completed / (Completed + Withdrawn));
    officer_first_completed = the end_date of an officer's first completed placement (int_kpi_rollup turns these
    into the cumulative count of officers placed); capacity_breach = a service-day over the capacity rule. -#}
{%- set kpis = [
    ('placements_started', "event = 'started'", none),
    ('placement_completion_pct', "event = 'ended' and status = 'Completed'",
        "event = 'ended' and status in ('Completed', 'Withdrawn')"),
    ('officers_placed_cumulative', "event = 'officer_first_completed'", none),
    ('placement_capacity_breaches', "event = 'capacity_breach'", none),
] -%}

with placements as (
    select * from {{ ref('stg_placements__placements') }}
),

events as (
    select
        force_code,
        'started' as event,
        status,
        {{ month_start('start_date') }} as month_start
    from placements
    union all
    select
        force_code,
        'ended' as event,
        status,
        {{ month_start('end_date') }} as month_start
    from placements
    where end_date is not null
    union all
    select
        force_code,
        'officer_first_completed' as event,
        'Completed' as status,
        {{ month_start('min(end_date)') }} as month_start
    from placements
    where status = 'Completed' and end_date is not null
    group by force_code, officer_id
    union all
    select
        force_code,
        'capacity_breach' as event,
        cast(null as {{ dbt.type_string() }}) as status,
        month_start
    from {{ ref('int_placements__capacity_breaches') }}
),

{{ kpi_monthly_counts(kpis, 'events') }}
