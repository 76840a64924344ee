{#-
  Engine-specific SQL lives here, dispatched per adapter (duckdb__ for the default warehouse, spark__ for users who
  outgrow one machine, default__ as ANSI). Models call these macros and dbt's cross-database macros only.
-#}

{#- Median of a numeric expression (an aggregate). -#}
{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'concordat')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__median(expr) -%}
    median({{ expr }})
{%- endmacro %}

{% macro spark__median(expr) -%}
    percentile({{ expr }}, 0.5)
{%- endmacro %}

{#- A whole-number date part (year, month, quarter) of a date or timestamp: EXTRACT is ANSI and Spark SQL. -#}
{% macro date_part_int(part, expr) -%}
    cast(extract({{ part }} from {{ expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- The calendar day of a timestamp. -#}
{% macro to_date(expr) -%}
    cast({{ expr }} as date)
{%- endmacro %}

{#- First day of the month of a date or timestamp, as a date. -#}
{% macro month_start(expr) -%}
    cast({{ dbt.date_trunc('month', expr) }} as date)
{%- endmacro %}

{#- First day of the UK financial year (1 April) holding a date: shift back 3 months, truncate to the year,
    shift forward 3 months. 31 March 2024 -> 2023-04-01; 1 April 2024 -> 2024-04-01. -#}
{% macro financial_year_start(expr) -%}
    cast({{ dbt.dateadd('month', 3, dbt.date_trunc('year', dbt.dateadd('month', -3, expr))) }} as date)
{%- endmacro %}

{#- First day of the quarter: UK financial quarters (Q1 = Apr-Jun) fall on calendar quarter boundaries. -#}
{% macro quarter_start(expr) -%}
    cast({{ dbt.date_trunc('quarter', expr) }} as date)
{%- endmacro %}

{#- dbt.datediff as one operand: the Spark version is a sum of two CASEs (`a + b / 3` would divide b only). -#}
{% macro datediff_term(start_expr, end_expr, part) -%}
    ({{ dbt.datediff(start_expr, end_expr, part) }})
{%- endmacro %}

{#- Hours that passed between two UK local times (as every time is stored), to the second, as a double: both are
    taken to UTC first, so a detention over the night the clocks go back is an hour longer than its clock times
    say, and over the night they go forward an hour shorter (the 24-hour limit is on time that passed).
    (`seconds / 3600.0` is a DECIMAL on Spark, rounded to 6 places, so a median would differ from DuckDB's.) -#}
{% macro hours_between(start_expr, end_expr) -%}
    (cast({{ datediff_term(uk_time_to_utc(start_expr), uk_time_to_utc(end_expr), 'second') }} as {{ type_double() }}) / 3600)
{%- endmacro %}

{#- A UK local time (Europe/London, a timestamp without zone) as the UTC time it was, without zone. In the hour
    the clocks go back, which comes twice, the engine picks one of the two. -#}
{% macro uk_time_to_utc(expr) -%}
    {{ return(adapter.dispatch('uk_time_to_utc', 'concordat')(expr)) }}
{%- endmacro %}

{% macro default__uk_time_to_utc(expr) -%}
    (({{ expr }}) at time zone 'Europe/London' at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__uk_time_to_utc(expr) -%}
    timezone('UTC', timezone('Europe/London', {{ expr }}))
{%- endmacro %}

{% macro spark__uk_time_to_utc(expr) -%}
    to_utc_timestamp({{ expr }}, 'Europe/London')
{%- endmacro %}

{#- Whole calendar days from one date to another. -#}
{% macro days_between(start_expr, end_expr) -%}
    {{ datediff_term(start_expr, end_expr, 'day') }}
{%- endmacro %}

{#- `2023/24` for any date in the UK financial year starting 1 April 2023. -#}
{% macro financial_year_label(expr) -%}
    {%- set y = date_part_int('year', financial_year_start(expr)) -%}
    {{ dbt.concat([dbt.cast(y, dbt.type_string()), "'/'", dbt.right(dbt.cast(y ~ ' + 1', dbt.type_string()), 2)]) }}
{%- endmacro %}

{#- `2023-04` for a month. -#}
{% macro month_label(expr) -%}
    {{ dbt.concat([
        dbt.cast(date_part_int('year', expr), dbt.type_string()),
        "'-'",
        dbt.right(dbt.concat(["'0'", dbt.cast(date_part_int('month', expr), dbt.type_string())]), 2)
    ]) }}
{%- endmacro %}

{#- `Q1 2023/24` for the first day of a UK financial quarter (Q1 = April-June). -#}
{% macro financial_quarter_label(expr) -%}
    {%- set months_in = datediff_term(financial_year_start(expr), expr, 'month') -%}
    {{ dbt.concat([
        "'Q'",
        dbt.cast('cast(floor(' ~ months_in ~ ' / 3) as ' ~ dbt.type_int() ~ ') + 1', dbt.type_string()),
        "' '",
        financial_year_label(expr)
    ]) }}
{%- endmacro %}

{#- A double-precision float. dbt.type_float() is `float`, which DuckDB reads as 4-byte FLOAT. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'concordat')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}

{% macro spark__type_double() -%}double{%- endmacro %}
