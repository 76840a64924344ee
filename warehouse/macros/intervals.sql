{#-
  95% intervals for kpi_values, one macro per method (docs/specs/kpis.md). concordat.methods.intervals implements
  the same formulas in Python and its tests compare the two: change them together.
-#}

{% macro z95() -%}1.959963985{%- endmacro %}

{#- Wilson score interval for a proportion numerator/denominator, in percent; NULL when the denominator is 0.
    bound is 'lower' or 'upper'. -#}
{% macro wilson_interval(numerator, denominator, bound) -%}
    {%- set z = z95() -%}
    {%- set n = 'cast(' ~ denominator ~ ' as ' ~ type_double() ~ ')' -%}
    {%- set p = '(cast(' ~ numerator ~ ' as ' ~ type_double() ~ ') / ' ~ n ~ ')' -%}
    {%- set sign = '-' if bound == 'lower' else '+' -%}
    case when {{ denominator }} > 0 then
        100.0 * (
            {{ p }} + {{ z }} * {{ z }} / (2 * {{ n }})
            {{ sign }} {{ z }} * sqrt({{ p }} * (1 - {{ p }}) / {{ n }} + {{ z }} * {{ z }} / (4 * {{ n }} * {{ n }}))
        ) / (1 + {{ z }} * {{ z }} / {{ n }})
    end
{%- endmacro %}

{#- Poisson interval for an observed count: exact (Garwood, chi-square) limits for O < 10 from the seed
    poisson_exact_limits, which the model joins as exact_alias on observed = O; Byar's approximation for O >= 10.
    bound is 'lower' or 'upper'. Rates scale the result by 100000 / population. -#}
{% macro poisson_interval(observed, bound, exact_alias) -%}
    {%- set z = z95() -%}
    {%- set o = 'cast(' ~ observed ~ ' as ' ~ type_double() ~ ')' -%}
    case
        when {{ observed }} is null then null
        when {{ observed }} < 10 then {{ exact_alias }}.{{ bound }}
        {%- if bound == 'lower' %}
        else {{ o }} * power(1 - 1 / (9 * {{ o }}) - {{ z }} / (3 * sqrt({{ o }})), 3)
        {%- else %}
        else ({{ o }} + 1) * power(1 - 1 / (9 * ({{ o }} + 1)) + {{ z }} / (3 * sqrt({{ o }} + 1)), 3)
        {%- endif %}
    end
{%- endmacro %}
