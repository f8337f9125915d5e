with

source as (

    select * from {{ source('raw', 'chat_sessions') }}

),

renamed as (

    select
        record_key as session_id,
        record_key as source_record_key,
        {{ parse_timestamp("payload ->> 'started_at'") }} as started_at,
        {{ parse_timestamp("payload ->> 'ended_at'") }} as ended_at,
        nullif(lower(trim(payload ->> 'language')), '') as language,
        nullif(trim(payload #>> '{visitor,id}'), '') as visitor_id,
        nullif(trim(payload #>> '{visitor,name}'), '') as visitor_name,
        nullif(lower(trim(payload #>> '{visitor,email}')), '') as visitor_email,
        nullif(trim(payload #>> '{agent,id}'), '') as agent_id,
        nullif(trim(payload #>> '{agent,name}'), '') as agent_name,
        nullif(upper(trim(payload ->> 'disposition')), '') as disposition_code,
        case
            when jsonb_typeof(payload -> 'messages') = 'array' then jsonb_array_length(payload -> 'messages')
            else 0
        end as message_count,
        coalesce(
            jsonb_path_exists(payload, '$.messages[*] ? (@.author_type == "visitor")'),
            false
        ) as has_visitor_message,
        coalesce(
            jsonb_path_exists(payload, '$.messages[*] ? (@.author_type == "agent")'),
            false
        ) as has_agent_message,
        {{ data_issues([
            timestamp_issue("payload ->> 'started_at'", 'started_at'),
            timestamp_issue("payload ->> 'ended_at'", 'ended_at')
        ]) }} as data_issues,
        loaded_at

    from source

)

select * from renamed
