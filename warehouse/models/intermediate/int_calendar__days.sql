{#- One row per day over a fixed, generous range (vars calendar_start/calendar_end): a portable date spine used
    to expand placements into days and to list the months the data covers. -#}
{{ config(materialized='table') }}

with days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start', '1990-01-01') ~ "' as date)",
        "cast('" ~ var('calendar_end', '2061-01-01') ~ "' as date)"
    ) }}
)

select
    cast(date_day as date) as calendar_date,
    {{ month_start('date_day') }} as month_start
from days
