with source as (
    select * from {{ source('raw', 'custody') }}
),

renamed as (
    select
        force as force_code,
        custody_record_id,
        cast(arrived_at as timestamp) as arrived_at,
        detention_id,
        person_id,
        cast(departed_at as timestamp) as departed_at,
        cast(age as {{ dbt.type_int() }}) as age,
        authorised_by_rank,
        reason,
        cast(healthcare_professional_present as boolean) as is_healthcare_professional_present,
        cast(welfare_checks_recorded as {{ dbt.type_int() }}) as welfare_checks_recorded,
        cast(transferred_to_hbpos as boolean) as is_transferred_to_hbpos,
        outcome,
        loaded_at
    from source
)

select * from renamed
