{#- Every area kpi_values reports: forces (BTP included; parent = region, or EW for BTP), regions (population =
    all their forces; parent EW) and EW (England and Wales). -#}
with forces as (
    select * from {{ ref('dim_force') }}
)

select
    area_code,
    force_name as area_name,
    'force' as area_type,
    coalesce(region_code, 'EW') as parent_area_code,
    population,
    population_year
from forces
union all
select
    region_code as area_code,
    max(region) as area_name,
    'region' as area_type,
    'EW' as parent_area_code,
    sum(population) as population,
    max(population_year) as population_year
from forces
where region_code is not null
group by region_code
union all
select
    'EW' as area_code,
    'England and Wales' as area_name,
    'national' as area_type,
    cast(null as {{ dbt.type_string() }}) as parent_area_code,
    sum(population) as population,
    max(population_year) as population_year
from forces
