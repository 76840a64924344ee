{#- For each s136 detention of a known person: how many s136 detentions of that person fall in the 365 days ending
    on this detention's day, this one included. The window is inclusive: a detention exactly 365 days (by calendar
    day) after an earlier one still counts it. Ties on detained_at are ordered by force and detention_id. -#}
with detentions as (
    select
        force_code,
        detention_id,
        person_id,
        detained_at,
        {{ to_date('detained_at') }} as detained_on
    from {{ ref('stg_s136__detentions') }}
    where section = '136' and person_id is not null
),

pairs as (
    select
        cur.force_code,
        cur.detention_id,
        earlier.detention_id as earlier_detention_id
    from detentions as cur
    inner join detentions as earlier
        on earlier.person_id = cur.person_id
            and (
                earlier.detained_at < cur.detained_at
                or (earlier.detained_at = cur.detained_at and (
                    earlier.force_code < cur.force_code
                    or (earlier.force_code = cur.force_code and earlier.detention_id <= cur.detention_id)
                ))
            )
            and {{ days_between('earlier.detained_on', 'cur.detained_on') }} <= 365
)

select
    force_code,
    detention_id,
    count(*) as detentions_in_365_days
from pairs
group by force_code, detention_id
