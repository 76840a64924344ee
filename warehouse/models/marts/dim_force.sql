{#- The 43 territorial police forces and BTP, with region and population (seed police_force_areas: one population
    for every year, population_year says which). -#}
select
    area_code,
    force_name,
    region,
    region_code,
    cast(population_approx as {{ dbt.type_bigint() }}) as population,
    cast(population_year as {{ dbt.type_int() }}) as population_year
from {{ ref('police_force_areas') }}
