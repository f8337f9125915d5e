-- The intervals a case waited on the customer: from a `pending` event to the case's next event (ISO 10002 lets
-- the resolution clock stop while the organisation waits for the complainant). A pending case with no later event
-- is still waiting: its interval is open (resumed_at null).
with

events as (

    select * from {{ ref('stg_cases__events') }}
    where
        case_id is not null
        and event_at is not null

),

ordered as (

    select
        case_id,
        status,
        event_at,
        lead(event_at) over (partition by case_id order by event_at, event_id) as next_event_at

    from events

),

final as (

    select
        case_id,
        event_at as paused_at,
        next_event_at as resumed_at

    from ordered
    where status = 'pending'

)

select * from final
