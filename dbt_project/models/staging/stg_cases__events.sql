{{ staged_table_config('event_id', 'case_events') }}
{# A table, incremental by record: each case event's timestamp is parsed once (macros/staged_tables.sql). #}

with

source as (

    select * from {{ source('raw', 'case_events') }} as raw
    {{ records_changed_since_stored('event_id') }}

),

renamed as (

    select
        record_key as event_id,
        record_key as source_record_key,
        nullif(trim(payload ->> 'case_id'), '') as case_id,
        nullif(lower(trim(payload ->> 'contact_channel')), '') as contact_channel,
        nullif(trim(both '<> ' from payload ->> 'contact_ref'), '') as contact_ref,
        nullif(lower(trim(payload ->> 'status')), '') as status,
        {{ parse_timestamp("payload ->> 'event_at'") }} as event_at,
        nullif(trim(payload ->> 'category'), '') as category,
        nullif(trim(payload ->> 'root_cause'), '') as root_cause,
        nullif(trim(payload ->> 'agent_id'), '') as agent_id,
        {{ data_issues([
            timestamp_issue("payload ->> 'event_at'", 'event_at')
        ]) }} as data_issues,
        loaded_at,
        {{ inputs_fingerprint([model.name]) }} as inputs_fingerprint

    from source

)

select * from renamed
