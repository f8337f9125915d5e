with

channels as (

    select * from {{ ref('channels') }}

),

targets as (

    -- the channel's target at normal priority (a contact's own, at its priority, is in int_contact_sla)
    select * from {{ ref('sla_targets') }}
    where priority = 'normal'

),

final as (

    select
        channels.channel,
        channels.channel_name,
        channels.channel_kind,
        channels.is_contact_channel,
        channels.is_response_expected,
        targets.clock as sla_clock,
        targets.calendar as sla_calendar,
        targets.first_response_target_minutes,
        targets.resolution_target_minutes

    from channels
    left join targets
        on channels.channel = targets.channel

)

select * from final
