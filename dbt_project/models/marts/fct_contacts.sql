with

contacts_classified as (

    select * from {{ ref('int_contacts_classified') }}

),

first_responses as (

    select * from {{ ref('int_contact_first_responses') }}

),

channels as (

    select * from {{ ref('dim_channel') }}

),

response_times as (

    select
        contacts_classified.contact_id,
        first_responses.first_response_at,
        first_responses.first_response_at - contacts_classified.received_at as first_response_interval,
        channels.first_response_sla_hours

    from contacts_classified
    inner join first_responses
        on contacts_classified.contact_id = first_responses.contact_id
    left join channels
        on contacts_classified.channel = channels.channel

),

final as (

    select
        contacts_classified.contact_id,
        contacts_classified.channel,
        contacts_classified.entity,
        contacts_classified.conversation_id,
        contacts_classified.source_record_key,
        contacts_classified.customer_key,
        contacts_classified.received_at,
        {{ local_date('contacts_classified.received_at') }} as received_date,
        {{ local_month_start('contacts_classified.received_at') }} as month_start_date,
        contacts_classified.language,
        contacts_classified.contact_type,
        contacts_classified.classified_by,
        contacts_classified.disposition_code,
        contacts_classified.model_contact_type,
        contacts_classified.model_probability,
        contacts_classified.model_runner_up,
        contacts_classified.model_evidence,
        contacts_classified.classifier_version,
        contacts_classified.is_low_confidence,
        contacts_classified.overridden_by,
        contacts_classified.overridden_at,
        contacts_classified.override_reason,
        contacts_classified.contact_type = 'complaint' as is_complaint,
        contacts_classified.contact_type in ('praise', 'suggestion') as is_feedback,
        response_times.first_response_at,
        round(
            (extract(epoch from response_times.first_response_interval) / 60)::numeric, 2
        ) as first_response_minutes,
        response_times.first_response_at is not null as is_responded,
        coalesce(
            response_times.first_response_interval <= interval '24 hours', false
        ) as is_responded_within_24h,
        response_times.first_response_sla_hours,
        case
            when response_times.first_response_sla_hours is not null
                then coalesce(
                    response_times.first_response_interval
                    <= response_times.first_response_sla_hours * interval '1 hour',
                    false
                )
        end as is_responded_within_sla

    from contacts_classified
    inner join response_times
        on contacts_classified.contact_id = response_times.contact_id

)

select * from final
