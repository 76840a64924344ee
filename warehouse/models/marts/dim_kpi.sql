{#- The KPI catalogue (seed kpi_definitions): names, definitions, unit, direction of improvement, target and
    aggregation (how a value is built from its parts: count, cumulative, percent, rate, median, mean). -#}
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
    aggregation
from {{ ref('kpi_definitions') }}
