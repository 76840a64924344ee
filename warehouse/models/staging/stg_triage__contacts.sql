with source as (
    select * from {{ source('raw', 'triage') }}
),

renamed as (
    select
        force as force_code,
        contact_id,
        cast(contact_at as timestamp) as contact_at,
        model,
        person_id,
        officer_id,
        practitioner_role,
        cast(response_minutes as {{ dbt.type_int() }}) as response_minutes,
        cast(s136_considered as boolean) as is_s136_considered,
        outcome,
        loaded_at
    from source
)

select * from renamed
