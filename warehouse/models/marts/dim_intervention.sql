{#- The intervention register: the editable seed `interventions` (origin `register`, one row per KPI its type
    targets, from seed intervention_type_kpis) and the interventions planted in demo data (origin `planted`, with
    the KPI and true effect the generator planted). -#}
with register as (
    select
        {{ dbt.concat([
            "'register-'", 'i.force', "'-'", 'i.type', "'-'", dbt.cast('i.start_date', dbt.type_string())
        ]) }}
            as intervention_id,
        i.force as area_code,
        i.type,
        i.name,
        cast(i.start_date as date) as start_date,
        cast(i.end_date as date) as end_date,
        i.description,
        'register' as origin,
        t.kpi_id,
        cast(null as {{ type_double() }}) as true_effect_pct
    from {{ ref('interventions') }} as i
    left join {{ ref('intervention_type_kpis') }} as t on t.type = i.type
),

planted as (
    select
        intervention_id,
        area_code,
        intervention_type as type,
        intervention_name as name,
        start_date,
        end_date,
        description,
        'planted' as origin,
        kpi_id,
        true_effect_pct
    from {{ ref('stg_planted_interventions__interventions') }}
)

select * from register
union all
select * from planted
