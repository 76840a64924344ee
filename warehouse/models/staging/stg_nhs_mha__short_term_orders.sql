with source as (
    select * from {{ source('raw', 'nhs_mha') }}
),

renamed as (
    select
        year as financial_year,
        measure,
        measure_subcategory,
        demographic,
        demographic_breakdown,
        organisation_breakdown,
        datasource,
        org_id,
        org_name,
        cast(mhsds_count as {{ dbt.type_int() }}) as mhsds_count,
        cast(acute_count as {{ dbt.type_int() }}) as acute_count,
        cast(total_count as {{ dbt.type_int() }}) as total_count,
        cast(crude_rate as {{ type_double() }}) as crude_rate_per_100k,
        cast(std_rate as {{ type_double() }}) as std_rate_per_100k,
        confidence_interval,
        cast(is_suppressed as boolean) as is_suppressed,
        loaded_at
    from source
)

select * from renamed
