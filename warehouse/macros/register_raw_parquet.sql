{#-
  Spark check only (warehouse/spark/README.md): register the Parquet export of a DuckDB build (export_raw.py writes
  <parquet_dir>/<table>/) as the Spark tables raw.<table>, one per source of models/staging/_sources.yml.
  dbt run-operation register_raw_parquet --args '{parquet_dir: /abs/path}' --profiles-dir warehouse/spark
-#}
{% macro register_raw_parquet(parquet_dir) %}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
    {%- set schema = sources[0].schema -%}
    {% do run_query('create database if not exists ' ~ schema) %}
    {%- for src in sources %}
        {%- set relation = schema ~ '.' ~ src.identifier -%}
        {% do run_query('drop table if exists ' ~ relation) %}
        {% do run_query("create table " ~ relation ~ " using parquet location '" ~ parquet_dir ~ "/" ~ src.identifier ~ "'") %}
        {% do log('registered ' ~ relation, info=true) %}
    {%- endfor %}
{% endmacro %}
