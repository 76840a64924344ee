{#- Placements expanded to one row per officer per day of the placement (a blank end_date counts the start day
    only), every status kept so a re-loaded placement replaces all its days. Incremental: only placements loaded
    since the last build are expanded again, replacing their earlier days (delete+insert on the placement key).
    dbt-spark has no delete+insert (its merge needs Delta, Iceberg or Hudi tables), so on Spark the model is a table
    rebuilt in full: the same rows, without the incremental saving. -#}
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    unique_key=['force_code', 'placement_id'],
    incremental_strategy='delete+insert',
) }}

with placements as (
    select
        force_code,
        placement_id,
        officer_id,
        service,
        start_date,
        coalesce(end_date, start_date) as last_day,
        status,
        loaded_at
    from {{ ref('stg_placements__placements') }}
    {% if is_incremental() %}
    where loaded_at > (select coalesce(max(loaded_at), cast('1900-01-01' as timestamp)) from {{ this }})
    {% endif %}
)

select
    p.force_code,
    p.placement_id,
    p.officer_id,
    p.service,
    p.status,
    d.calendar_date as placement_day,
    d.month_start,
    p.loaded_at
from placements as p
inner join {{ ref('int_calendar__days') }} as d
    on d.calendar_date between p.start_date and p.last_day
