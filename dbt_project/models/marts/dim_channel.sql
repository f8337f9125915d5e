with

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        channels.channel,
        channels.channel_name,
        channels.channel_kind,
        channels.is_contact_channel,
        channels.is_response_expected,
        channels.first_response_sla_hours,
        channels.first_response_sla_hours * 60 as first_response_sla_minutes

    from channels

)

select * from final
