{#- One row per officer placement, with its length in days and confidence change. -#}
select
    force_code as area_code,
    placement_id,
    officer_id,
    cohort,
    service,
    setting,
    start_date,
    end_date,
    {{ days_between('start_date', 'end_date') }} + 1 as placement_days,
    status,
    is_induction_attended,
    is_workbook_completed,
    is_feedback_session_attended,
    confidence_pre,
    confidence_post,
    confidence_post - confidence_pre as confidence_change
from {{ ref('stg_placements__placements') }}
