{#-
  The shared shape of every KPI family: count rows meeting each KPI's numerator and denominator conditions per
  force, segment and month, then unpivot to (kpi_id, force_code, segment, month_start, numerator, denominator).

  kpis:        list of (kpi_id, numerator condition, denominator condition or none for a plain count)
  relation:    a CTE or relation with force_code, month_start and (when segment_column is given) a segment column
  With a segment column, the KPIs with has_segments in the seed kpi_definitions keep every segment; the others
  keep only `all`.
  Emits the text `kpi_monthly as (...) select ...`: call it after `with ...,` in a model.
-#}
{% macro kpi_monthly_counts(kpis, relation, segment_column=none) -%}
{%- if segment_column %}
segmented_kpis as (
    select kpi_id from {{ ref('kpi_definitions') }}
    where has_segments
),
{% endif -%}
kpi_monthly as (
    select
        force_code,
        {{ segment_column if segment_column else "'all'" }} as segment,
        month_start,
        {%- for kpi_id, numerator, denominator in kpis %}
        sum(case when {{ numerator }} then 1 else 0 end) as {{ kpi_id }}__num,
        {%- if denominator is not none %}
        sum(case when {{ denominator }} then 1 else 0 end) as {{ kpi_id }}__den,
        {%- endif %}
        {%- endfor %}
        count(*) as row_count
    from {{ relation }}
    group by force_code, {{ segment_column if segment_column else "'all'" }}, month_start
)

{% for kpi_id, numerator, denominator in kpis -%}
select
    '{{ kpi_id }}' as kpi_id,
    force_code,
    segment,
    month_start,
    cast({{ kpi_id }}__num as {{ dbt.type_bigint() }}) as numerator,
    cast({{ kpi_id ~ '__den' if denominator is not none else 'null' }} as {{ dbt.type_bigint() }}) as denominator
from kpi_monthly
{%- if segment_column %}
where segment = 'all' or '{{ kpi_id }}' in (select s.kpi_id from segmented_kpis as s)
{%- endif %}
{% if not loop.last %}union all
{% endif %}
{%- endfor %}
{%- endmacro %}
