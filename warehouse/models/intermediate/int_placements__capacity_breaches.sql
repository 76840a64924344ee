{#- Service-days on which more than two officers of one force were on placement in one service (the scheme's
    capacity rule). Officers on placement: statuses Completed and In progress (withdrawn and rescheduled
    placements may not have been attended). -#}
select
    force_code,
    service,
    placement_day,
    month_start,
    count(distinct officer_id) as officers_on_placement
from {{ ref('int_placements__officer_days') }}
where status in ('Completed', 'In progress')
group by force_code, service, placement_day, month_start
having count(distinct officer_id) > 2
