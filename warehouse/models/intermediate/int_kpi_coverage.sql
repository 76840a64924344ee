{#- What the loaded data covers, per record-level source: the forces with any row, and the months from the first
    to the last row over all forces. Count KPIs get explicit zero rows over exactly this coverage. -#}
with events as (
    select
        's136' as source,
        force_code,
        {{ month_start('detained_at') }} as month_start
    from {{ ref('stg_s136__detentions') }}
    union all
    select
        'custody' as source,
        force_code,
        {{ month_start('arrived_at') }} as month_start
    from {{ ref('stg_custody__episodes') }}
    union all
    select
        'triage' as source,
        force_code,
        {{ month_start('contact_at') }} as month_start
    from {{ ref('stg_triage__contacts') }}
    union all
    select
        'placements' as source,
        force_code,
        {{ month_start('start_date') }} as month_start
    from {{ ref('stg_placements__placements') }}
    union all
    select
        'placements' as source,
        force_code,
        {{ month_start('end_date') }} as month_start
    from {{ ref('stg_placements__placements') }}
    where end_date is not null
),

months as (
    select
        source,
        min(month_start) as first_month,
        max(month_start) as last_month
    from events
    group by source
)

select distinct
    e.source,
    e.force_code,
    m.first_month,
    m.last_month
from events as e
inner join months as m on m.source = e.source
