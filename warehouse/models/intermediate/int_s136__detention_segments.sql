{#- The segments each s136 detention belongs to, one row per (detention, segment): `all`; `officer_placed` or
    `officer_not_placed` (when the detaining officer is known); `age:<band>` for Under 18 / 18 and over;
    `sex:<value>`; `ethnicity:<value>`. Segment values come from the data (canonical contract categories). -#}
with detentions as (
    select
        force_code,
        detention_id,
        is_officer_placed,
        age_band,
        sex,
        ethnicity
    from {{ ref('int_s136__detentions_enriched') }}
    where section = '136'
)

select
    force_code,
    detention_id,
    'all' as segment
from detentions
union all
select
    force_code,
    detention_id,
    case when is_officer_placed then 'officer_placed' else 'officer_not_placed' end as segment
from detentions
where is_officer_placed is not null
union all
select
    force_code,
    detention_id,
    {{ dbt.concat(["'age:'", 'age_band']) }} as segment
from detentions
where age_band in ('Under 18', '18 and over')
union all
select
    force_code,
    detention_id,
    {{ dbt.concat(["'sex:'", 'sex']) }} as segment
from detentions
where sex is not null
union all
select
    force_code,
    detention_id,
    {{ dbt.concat(["'ethnicity:'", 'ethnicity']) }} as segment
from detentions
where ethnicity is not null
