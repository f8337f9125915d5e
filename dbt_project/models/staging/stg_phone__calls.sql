{{ staged_table_config('call_id', 'phone_calls') }}
{# A table, incremental by record: each call's timestamps are parsed once (macros/staged_tables.sql). #}

with

source as (

    select * from {{ source('raw', 'phone_calls') }} as raw
    {{ records_changed_since_stored('call_id') }}

),

renamed as (

    select
        record_key as call_id,
        record_key as source_record_key,
        nullif(trim(payload ->> 'caller_number'), '') as caller_number,
        nullif(trim(payload ->> 'queue'), '') as queue_name,
        nullif(trim(payload ->> 'agent_id'), '') as agent_id,
        {{ parse_timestamp("payload ->> 'started_at'") }} as started_at,
        {{ parse_timestamp("payload ->> 'answered_at'") }} as answered_at,
        {{ parse_timestamp("payload ->> 'ended_at'") }} as ended_at,
        {{ cast_or_null("payload ->> 'wait_seconds'", 'integer') }} as wait_seconds,
        {{ cast_or_null("payload ->> 'talk_seconds'", 'integer') }} as talk_seconds,
        coalesce({{ cast_or_null("payload ->> 'abandoned'", 'boolean') }}, false) as is_abandoned,
        coalesce({{ cast_or_null("payload ->> 'callback_requested'", 'boolean') }}, false) as is_callback_requested,
        nullif(upper(trim(payload ->> 'disposition_code')), '') as disposition_code,
        nullif(lower(trim(payload ->> 'language')), '') as language,
        {{ data_issues([
            timestamp_issue("payload ->> 'started_at'", 'started_at'),
            timestamp_issue("payload ->> 'answered_at'", 'answered_at'),
            timestamp_issue("payload ->> 'ended_at'", 'ended_at'),
            cast_issue("payload ->> 'wait_seconds'", 'integer', 'wait_seconds'),
            cast_issue("payload ->> 'talk_seconds'", 'integer', 'talk_seconds'),
            cast_issue("payload ->> 'abandoned'", 'boolean', 'abandoned'),
            cast_issue("payload ->> 'callback_requested'", 'boolean', 'callback_requested')
        ]) }} as data_issues,
        loaded_at,
        {{ inputs_fingerprint([model.name]) }} as inputs_fingerprint

    from source

)

select * from renamed
