with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

texts as (

    select * from {{ ref('contact_texts') }}

),

final as (

    -- every contact the classifier decided has a text, so contact_texts has each one
    select
        contacts.contact_id,
        contacts.channel,
        contacts.received_at,
        contacts.received_date,
        contacts.month_start_date,
        contacts.language,
        texts.contact_text,
        contacts.contact_type,
        contacts.model_probability,
        contacts.model_runner_up,
        contacts.model_evidence,
        contacts.classifier_version

    from contacts
    inner join texts
        on contacts.contact_id = texts.contact_id
    where contacts.is_low_confidence

)

select * from final
