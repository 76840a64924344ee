{#- Every (KPI, force, segment, month) the loaded data covers: the KPI's source forces x the source's months x the
    KPI's segments (all, or every segment when has_segments). kpi_values has a row for each, so a month with no
    events is an explicit zero for count KPIs. -#}
with kpis as (
    select
        kpi_id,
        source,
        has_segments
    from {{ ref('kpi_definitions') }}
),

months as (
    select distinct month_start from {{ ref('int_calendar__days') }}
)

select
    k.kpi_id,
    c.force_code,
    s.segment,
    s.partition_name,
    m.month_start
from kpis as k
inner join {{ ref('int_kpi_coverage') }} as c on c.source = k.source
inner join months as m on m.month_start between c.first_month and c.last_month
inner join {{ ref('int_kpi_segments') }} as s on s.segment = 'all' or k.has_segments
