with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

final as (

    select
        contacts.contact_id,
        contacts.channel,
        contacts.received_at,
        contacts.received_date,
        contacts.month_start_date,
        contacts.language,
        contacts.contact_text,
        contacts.contact_type,
        contacts.model_probability,
        contacts.model_runner_up,
        contacts.model_evidence,
        contacts.classifier_version

    from contacts
    where contacts.is_low_confidence

)

select * from final
