-- The first-response service level of every contact whose channel has a target (seed sla_targets, priority
-- normal: contacts carry no priority yet): the clock it runs on, the minutes the response took on that clock, and
-- whether it met the target (docs: def_sla_clock).
with

first_responses as (

    select * from {{ ref('int_contact_first_responses') }}

),

targets as (

    select * from {{ ref('sla_targets') }}
    where priority = 'normal'

),

measured as (

    select
        first_responses.contact_id,
        first_responses.channel,
        targets.priority,
        targets.clock,
        targets.calendar,
        targets.first_response_target_minutes,
        first_responses.received_at,
        first_responses.first_response_at,
        {{ elapsed_minutes(
            'first_responses.received_at', 'first_responses.first_response_at', 'targets.clock', 'targets.calendar'
        ) }} as first_response_elapsed_minutes

    from first_responses
    inner join targets
        on first_responses.channel = targets.channel

),

final as (

    select
        contact_id,
        channel,
        priority,
        clock,
        calendar,
        first_response_target_minutes,
        received_at,
        first_response_at,
        round(first_response_elapsed_minutes, 2) as first_response_elapsed_minutes,
        case
            when first_response_at is null then 'open'
            when first_response_elapsed_minutes <= first_response_target_minutes then 'met'
            else 'breached'
        end as first_response_sla_status,
        case
            when first_response_at is not null
                then round(greatest(0, first_response_elapsed_minutes - first_response_target_minutes), 2)
        end as first_response_breach_minutes

    from measured

)

select * from final
