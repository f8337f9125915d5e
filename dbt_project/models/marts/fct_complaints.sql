with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

final as (

    select
        contacts.contact_id as complaint_id,
        contacts.channel,
        contacts.conversation_id,
        contacts.source_record_key,
        contacts.customer_key,
        contacts.received_at,
        contacts.received_date,
        contacts.month_start_date,
        contacts.language,
        contacts.classified_by,
        contacts.disposition_code,
        contacts.model_probability,
        contacts.model_evidence,
        contacts.classifier_version,
        contacts.is_low_confidence,
        contacts.first_response_at,
        contacts.first_response_minutes,
        contacts.is_responded,
        contacts.is_responded_within_24h,
        contacts.sla_priority,
        contacts.sla_clock,
        contacts.first_response_target_minutes,
        contacts.first_response_sla_minutes,
        contacts.first_response_sla_status,
        contacts.first_response_breach_minutes,
        contacts.is_responded_within_sla

    from contacts
    where contacts.is_complaint

)

select * from final
