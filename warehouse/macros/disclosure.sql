{#- Secondary suppression (disclosure control, docs/specs/kpis.md), shared by kpi_values and published_s136.

    Emits CTEs ending in `secondarily_suppressed` (cell_id): the cells to hide besides the primary ones. Expects
    CTEs `cells` (cell_id, cell_size, is_primary_suppressed) and `links` (child_id, parent_id, family: child is a
    part of total parent; family tells apart the sets of parts one total has). Where a shown total has exactly
    one suppressed part, that part could be recovered by subtraction, so the smallest other part with a size is
    suppressed too - or, where no other part has anything in it, the total (it equals the part). Where a
    suppressed total has no suppressed part in a set, it could be recovered by adding them up, so the smallest
    part with a size is suppressed (a total hidden to protect one hierarchy must not be given away by another).
    Each such suppression can expose a cell in another set, so this is repeated `passes` times; validation checks
    that nothing is left recoverable. -#}
{% macro secondary_suppression(cells, links, passes) -%}
{# Pass 1 judges every total; pass i > 1 only the totals with a part (or the total) newly suppressed in pass
    i - 1, the only ones whose verdict can change. added_i: every cell suppressed by passes 1..i. #}
added_0 as (
    select cell_id from {{ cells }}
    where 1 = 0
),
{% for i in range(1, passes + 1) %}
{%- if i > 1 %}
touched_{{ i }} as (
    select
        l.parent_id,
        l.family
    from {{ links }} as l
    inner join new_{{ i - 1 }} as n on n.cell_id = l.child_id
    union
    select
        l.parent_id,
        l.family
    from {{ links }} as l
    inner join new_{{ i - 1 }} as n on n.cell_id = l.parent_id
),
{% endif %}
parts_{{ i }} as (
    select
        l.child_id,
        l.parent_id,
        l.family,
        c.cell_size,
        c.is_primary_suppressed or ac.cell_id is not null as is_suppressed,
        p.is_primary_suppressed or ap.cell_id is not null as is_total_suppressed
    from {{ links }} as l
    {%- if i > 1 %}
    inner join touched_{{ i }} as t on t.parent_id = l.parent_id and t.family = l.family
    {%- endif %}
    inner join {{ cells }} as c on c.cell_id = l.child_id
    inner join {{ cells }} as p on p.cell_id = l.parent_id
    left join added_{{ i - 1 }} as ac on ac.cell_id = l.child_id
    left join added_{{ i - 1 }} as ap on ap.cell_id = l.parent_id
),

totals_{{ i }} as (
    select
        *,
        sum(case when is_suppressed then 1 else 0 end) over (partition by parent_id, family) as suppressed_parts,
        sum(case when not is_suppressed and cell_size > 0 then 1 else 0 end) over (
            partition by parent_id, family
        ) as candidate_parts,
        row_number() over (
            partition by parent_id, family
            order by case when not is_suppressed and cell_size > 0 then 0 else 1 end, cell_size, child_id
        ) as size_rank
    from parts_{{ i }}
),

{# Per total shown with exactly one suppressed part: the smallest other part with a size or, when no other part
has anything in it, the total itself (it equals the suppressed part). Per suppressed total with no suppressed
part: the smallest part with a size. #}
new_{{ i }} as (
    select child_id as cell_id
    from totals_{{ i }}
    where suppressed_parts = 1 and not is_total_suppressed and size_rank = 1 and candidate_parts > 0
    union
    select parent_id as cell_id
    from totals_{{ i }}
    where suppressed_parts = 1 and not is_total_suppressed and candidate_parts = 0
    union
    select child_id as cell_id
    from totals_{{ i }}
    where suppressed_parts = 0 and is_total_suppressed and size_rank = 1 and candidate_parts > 0
),

added_{{ i }} as (
    select cell_id from added_{{ i - 1 }}
    union all
    select cell_id from new_{{ i }}
),
{% endfor %}
secondarily_suppressed as (
    select cell_id from added_{{ passes }}
)

{%- endmacro %}


{#- The `links` rows of the area hierarchy, between cells that agree on the `same` columns (the rest of the
    cell's key): each force's cell is a part of its region's and of EW's (family `forces`), and each region's cell,
    and that of a force in no region (BTP), a part of EW's (family `regions`): EW less one region gives another. -#}
{% macro area_links(cells, same) -%}
select
    c.cell_id as child_id,
    p.cell_id as parent_id,
    'forces' as family
from {{ cells }} as c
inner join {{ ref('int_area_members') }} as m on m.force_code = c.area_code and m.area_type <> 'force'
inner join {{ cells }} as p
    on p.area_code = m.area_code
    {%- for column in same %} and p.{{ column }} = c.{{ column }}{% endfor %}
union all
select
    c.cell_id as child_id,
    p.cell_id as parent_id,
    'regions' as family
from {{ cells }} as c
inner join (
    select area_code from {{ ref('int_area_members') }}
    where area_type = 'region'
    union
    select force_code as area_code from {{ ref('int_area_members') }}
    where area_type = 'national'
        and force_code not in (select r.force_code from {{ ref('int_area_members') }} as r where r.area_type = 'region')
) as regions on regions.area_code = c.area_code
inner join {{ cells }} as p
    on p.area_code = 'EW'
    {%- for column in same %} and p.{{ column }} = c.{{ column }}{% endfor %}
{%- endmacro %}
