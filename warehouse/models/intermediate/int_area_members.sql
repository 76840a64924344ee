{#- Which forces make up each reporting area: a force (or BTP) is its own area, a member of its region
    (region_code of the seed; BTP has none) and of EW (England and Wales: every force loaded, BTP included). -#}
with forces as (
    select
        area_code as force_code,
        region_code,
        population_approx as population
    from {{ ref('police_force_areas') }}
)

select
    force_code as area_code,
    'force' as area_type,
    force_code,
    population
from forces
union all
select
    region_code as area_code,
    'region' as area_type,
    force_code,
    population
from forces
where region_code is not null
union all
select
    'EW' as area_code,
    'national' as area_type,
    force_code,
    population
from forces
