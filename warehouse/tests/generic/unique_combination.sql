{#- The combination of `columns` is unique over the model (a composite key), like dbt_utils'
    unique_combination_of_columns, without a package download. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
