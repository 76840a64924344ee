{#- The KPI catalogue (seed kpi_definitions): names, definitions, unit, direction of improvement, target,
    aggregation (how a value is built from its parts: count, cumulative, percent, rate, median, mean), the records
    it is counted from (source) and the month SPC limits are recomputed from (spc_rebase_date, e.g. the Policing
    and Crime Act 2017). -#}
select
    kpi_id,
    name,
    description,
    numerator_definition,
    denominator_definition,
    unit,
    direction,
    target,
    has_segments,
    aggregation,
    source,
    spc_rebase_date
from {{ ref('kpi_definitions') }}
