{#- Every month of the calendar mapped to the period holding it at each grain: month, quarter (UK financial
    quarters, Q1 = April-June) and financial_year (1 April - 31 March). -#}
with months as (
    select distinct month_start from {{ ref('int_calendar__days') }}
)

select
    month_start,
    'month' as period_grain,
    month_start as period_start
from months
union all
select
    month_start,
    'quarter' as period_grain,
    {{ quarter_start('month_start') }} as period_start
from months
union all
select
    month_start,
    'financial_year' as period_grain,
    {{ financial_year_start('month_start') }} as period_start
from months
