with

source as (

    select * from {{ source('raw', 'phone_calls') }}

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
        nullif(trim(payload ->> 'wait_seconds'), '')::integer as wait_seconds,
        nullif(trim(payload ->> 'talk_seconds'), '')::integer as talk_seconds,
        coalesce(nullif(trim(payload ->> 'abandoned'), '')::boolean, false) as is_abandoned,
        coalesce(nullif(trim(payload ->> 'callback_requested'), '')::boolean, false) as is_callback_requested,
        nullif(upper(trim(payload ->> 'disposition_code')), '') as disposition_code,
        nullif(lower(trim(payload ->> 'language')), '') as language,
        loaded_at

    from source

)

select * from renamed
