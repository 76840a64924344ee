with source as (
    select * from {{ source('raw', 'placements') }}
),

renamed as (
    select
        force as force_code,
        placement_id,
        officer_id,
        cohort,
        service,
        setting,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        status,
        cast(induction_attended as boolean) as is_induction_attended,
        cast(workbook_completed as boolean) as is_workbook_completed,
        cast(feedback_session_attended as boolean) as is_feedback_session_attended,
        cast(confidence_pre as {{ dbt.type_int() }}) as confidence_pre,
        cast(confidence_post as {{ dbt.type_int() }}) as confidence_post,
        loaded_at
    from source
)

select * from renamed
