-- The days the data covers, in the organisation's time zone: from the first interaction or case event to the
-- latest record of any contact channel or of the helpdesk. One row. The marts that need "as of" (the daily backlog,
-- corrective-action effectiveness) read it here.
with

days as (

    select {{ local_date('occurred_at') }} as day from {{ ref('int_interactions') }}
    union all
    select {{ local_date('event_at') }} from {{ ref('stg_cases__events') }}
    where event_at is not null

)

select
    min(day) as first_day,
    max(day) as last_day

from days
