-- The days the data covers, in the organisation's time zone: from the first interaction or case event to the
-- latest record of any contact channel or of the helpdesk. One row. The marts that need "as of" (the daily backlog,
-- corrective-action effectiveness) read it here.
with

extremes as (

    -- a local date never decreases as time goes on: the first and last instants give the first and last days
    select
        min(occurred_at) as first_at,
        max(occurred_at) as last_at

    from {{ ref('int_interactions') }}

    union all

    select
        min(event_at) as first_at,
        max(event_at) as last_at

    from {{ ref('stg_cases__events') }}

)

select
    {{ local_date('min(first_at)') }} as first_day,
    {{ local_date('max(last_at)') }} as last_day

from extremes
