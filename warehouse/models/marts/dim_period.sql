{#- The periods kpi_values reports: month, quarter (UK financial quarters, Q1 = April-June) and financial_year
    (1 April - 31 March), with first and last day and labels (`2023-04`, `Q1 2023/24`, `2023/24`). -#}
with periods as (
    select distinct
        period_grain,
        period_start
    from {{ ref('int_kpi_rollup') }}
)

select
    period_grain,
    period_start,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd(
        'month',
        "case period_grain when 'month' then 1 when 'quarter' then 3 else 12 end",
        'period_start'
    )) }} as date) as period_end,
    case period_grain
        when 'month' then {{ month_label('period_start') }}
        when 'quarter' then {{ financial_quarter_label('period_start') }}
        else {{ financial_year_label('period_start') }}
    end as period_label,
    {{ financial_year_label('period_start') }} as financial_year
from periods
