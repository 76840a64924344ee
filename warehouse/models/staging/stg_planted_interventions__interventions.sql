with source as (
    select * from {{ source('raw', 'planted_interventions') }}
),

renamed as (
    select
        intervention_id,
        force as area_code,
        type as intervention_type,
        name as intervention_name,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        description,
        kpi_id,
        cast(true_effect_pct as {{ type_double() }}) as true_effect_pct,
        loaded_at
    from source
)

select * from renamed
