-- phone: the call-centre export holds inbound calls; every call is a contact, answered or abandoned (answering is
-- the call's first response, not a row of its own)
{{ channel_table_config('phone_calls') }}

with

calls as (

    select * from {{ ref('stg_phone__calls') }} as calls
    {{- source_records_changed_since_stored('calls') }}

),

fingerprint as (

    select {{ own_inputs_fingerprint() }} as inputs_fingerprint

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
        calls.language,
        calls.loaded_at as source_loaded_at,
        true as opens_contact

    from calls

),

final as (

    select
        interactions.*,
        {{ opened_contact('calls', 'disposition_code') }},
        fingerprint.inputs_fingerprint

    from interactions
    cross join fingerprint

)

select * from final
