with source as (
    select * from {{ source('raw', 'ho_s136') }}
),

renamed as (
    select
        financial_year,
        force as area_code,
        measure,
        category,
        cast({{ adapter.quote('count') }} as {{ dbt.type_int() }}) as published_count,
        loaded_at
    from source
)

select * from renamed
