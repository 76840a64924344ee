{#- The KPI catalogue (seed kpi_definitions): names, definitions, unit, direction of improvement and target. -#}
select
    kpi_id,
    name,
    description,
    numerator_definition,
    denominator_definition,
    unit,
    direction,
    target,
    has_segments
from {{ ref('kpi_definitions') }}
