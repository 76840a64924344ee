with source as (
    select * from {{ source('raw', 's136') }}
),

renamed as (
    select
        force as force_code,
        detention_id,
        cast(detained_at as timestamp) as detained_at,
        section,
        person_id,
        officer_id,
        cast(age as {{ dbt.type_int() }}) as age,
        age_band,
        sex,
        ethnicity,
        consulted_health_professional,
        transport,
        police_vehicle_reason,
        first_place_of_safety,
        police_station_reason,
        cast(arrived_pos_at as timestamp) as arrived_pos_at,
        cast(assessment_completed_at as timestamp) as assessment_completed_at,
        cast(released_at as timestamp) as released_at,
        outcome,
        triage_contact_id,
        loaded_at
    from source
)

select * from renamed
