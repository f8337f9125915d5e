with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

texts as (

    select * from {{ ref('int_contacts') }}

),

final as (

    select
        contacts.contact_id,
        contacts.channel,
        contacts.customer_key,
        contacts.received_at,
        contacts.received_date,
        contacts.month_start_date,
        contacts.language,
        contacts.contact_type,
        contacts.is_complaint,
        texts.contact_text

    from contacts
    inner join texts
        on contacts.contact_id = texts.contact_id
    where trim(coalesce(texts.contact_text, '')) <> ''

)

select * from final
