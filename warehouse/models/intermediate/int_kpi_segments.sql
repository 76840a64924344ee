{#- The segments of the segmented KPIs: all, officer_placed, officer_not_placed, age:Under 18, age:18 and over,
    and sex:<value> / ethnicity:<value> for every category of the s136 contract (seed category_codes, generated
    from concordat/contracts.py). partition_name groups the segments that add up to `all` (for secondary
    suppression). -#}
select
    'all' as segment,
    'all' as partition_name
union all
select
    'officer_placed' as segment,
    'officer' as partition_name
union all
select
    'officer_not_placed' as segment,
    'officer' as partition_name
union all
select
    'age:Under 18' as segment,
    'age' as partition_name
union all
select
    'age:18 and over' as segment,
    'age' as partition_name
union all
select
    {{ dbt.concat(["column_name", "':'", "value"]) }} as segment,
    column_name as partition_name
from {{ ref('category_codes') }}
where source = 's136' and column_name in ('sex', 'ethnicity')
