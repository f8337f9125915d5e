with

source as (

    select * from {{ source('raw', 'chat_sessions') }}

),

messages as (

    -- one row per element of the session's `messages` array, in the order the export gives them
    select
        source.record_key,
        source.loaded_at,
        message.payload,
        message.position

    from source
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(source.payload -> 'messages') = 'array' then source.payload -> 'messages'
            else '[]'::jsonb
        end
    ) with ordinality as message (payload, position)

),

renamed as (

    select
        record_key || ':' || coalesce(nullif(trim(payload ->> 'id'), ''), '#' || position::text) as message_id,
        record_key as session_id,
        record_key as source_record_key,
        nullif(trim(payload ->> 'id'), '') as session_message_id,
        position::integer as message_position,
        nullif(lower(trim(payload ->> 'author_type')), '') as author_type,
        nullif(trim(payload ->> 'author_id'), '') as author_id,
        payload ->> 'text' as message_text,
        {{ parse_timestamp("payload ->> 'sent_at'") }} as sent_at,
        coalesce(lower(trim(payload ->> 'author_type')) = 'visitor', false) as is_from_visitor,
        coalesce(lower(trim(payload ->> 'author_type')) = 'agent', false) as is_outbound,
        {{ data_issues([
            timestamp_issue("payload ->> 'sent_at'", 'sent_at')
        ]) }} as data_issues,
        loaded_at

    from messages

)

select * from renamed
