-- One row per helpdesk case: the ISO 10002 stages its status events mark (opened, assigned, resolved, closed)
-- and how often it was reopened. A case's resolution counts only while no reopening follows it.
with

events as (

    select * from {{ ref('stg_cases__events') }}
    where
        case_id is not null
        and event_at is not null

),

aggregated as (

    select
        case_id,
        (array_agg(contact_channel || ':' || contact_ref order by event_at, event_id))[1] as contact_id,
        min(event_at) filter (where status = 'new') as opened_at,
        min(event_at) filter (where status = 'open') as assigned_at,
        min(event_at) filter (where status = 'resolved') as first_resolved_at,
        max(event_at) filter (where status = 'resolved') as last_resolved_at,
        max(event_at) filter (where status = 'reopened') as last_reopened_at,
        min(event_at) filter (where status = 'closed') as closed_at,
        count(*) filter (where status = 'reopened') as reopen_count,
        (array_agg(status order by event_at desc, event_id desc))[1] as current_status,
        (array_agg(category order by event_at desc, event_id desc) filter (where category is not null))[1] as category,
        (array_agg(root_cause order by event_at desc, event_id desc) filter (where root_cause is not null))[1]
            as root_cause

    from events
    group by case_id

),

final as (

    select
        case_id,
        contact_id,
        opened_at,
        assigned_at,
        first_resolved_at,
        case
            when last_reopened_at is null or last_resolved_at > last_reopened_at then last_resolved_at
        end as resolved_at,
        closed_at,
        last_reopened_at as reopened_at,
        reopen_count,
        current_status,
        category,
        root_cause

    from aggregated

)

select * from final
