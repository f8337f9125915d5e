-- phone: the call-centre export holds inbound calls; every call is a contact, answered or abandoned (answering is
-- the call's first response, not a row of its own)
with

calls as (

    select * from {{ ref('stg_phone__calls') }}

),

interactions as (

    select
        'phone' as channel,
        'calls' as entity,
        calls.call_id as record_id,
        calls.source_record_key,
        calls.call_id as conversation_id,
        'inbound' as direction,
        calls.started_at as occurred_at,
        {{ pseudonym('phone', 'calls.caller_number') }} as author_key,
        cast(null as text) as interaction_text,
        calls.disposition_code,
        calls.language

    from calls

),

final as (

    select
        *,
        record_id as contact_key,
        'calls' as contact_entity,
        author_key as contact_customer_key,
        disposition_code as contact_disposition_code

    from interactions

)

select * from final
