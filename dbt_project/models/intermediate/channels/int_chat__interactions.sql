-- chat: every message of every session (system notices, such as joined, left or transferred, keep a direction of
-- their own); a session is a contact from the visitor's first message, and sessions with no visitor message are not
{{ channel_table_config('chat_sessions') }}

with

{% if is_incremental() %}

changed_sessions as (

    select sessions.source_record_key

    from {{ ref('stg_chat__sessions') }} as sessions
    {{- source_records_changed_since_stored('sessions') }}

),

{% endif %}

chat_sessions as (

    select * from {{ ref('stg_chat__sessions') }}
    {% if is_incremental() %}
    where source_record_key in (select changed_sessions.source_record_key from changed_sessions)
    {% endif %}

),

chat_messages as (

    select * from {{ ref('stg_chat__messages') }}
    {% if is_incremental() %}
    where source_record_key in (select changed_sessions.source_record_key from changed_sessions)
    {% endif %}

),

fingerprint as (

    select {{ own_inputs_fingerprint() }} as inputs_fingerprint

),

visitor_messages as (

    select
        session_id,
        message_id,
        row_number() over (
            partition by session_id
            order by sent_at, message_position
        ) as visitor_message_rank

    from chat_messages
    where is_from_visitor

),

final as (

    select
        'chat' as channel,
        'messages' as entity,
        chat_messages.message_id as record_id,
        chat_messages.source_record_key,
        chat_messages.session_id as conversation_id,
        case
            when chat_messages.is_from_visitor then 'inbound'
            when chat_messages.is_outbound then 'outbound'
            else 'system'
        end as direction,
        chat_messages.sent_at as occurred_at,
        {{ pseudonym('chat', 'chat_messages.author_id') }} as author_key,
        chat_messages.message_text as interaction_text,
        cast(null as text) as disposition_code,
        chat_sessions.language,
        chat_messages.loaded_at as source_loaded_at,
        visitor_messages.message_id is not null as opens_contact,
        case when visitor_messages.message_id is not null then chat_sessions.session_id end as contact_key,
        case when visitor_messages.message_id is not null then 'sessions' end as contact_entity,
        -- the session's visitor, whoever the export names as the message's author: by the e-mail address the visitor
        -- gave, so the same person has one key on chat and e-mail; by the widget's visitor id otherwise
        case
            when visitor_messages.message_id is not null
                then coalesce(
                    {{ pseudonym('email', 'chat_sessions.visitor_email') }},
                    {{ pseudonym('chat', 'chat_sessions.visitor_id') }}
                )
        end as contact_customer_key,
        case when visitor_messages.message_id is not null then chat_sessions.disposition_code end as contact_disposition_code,
        fingerprint.inputs_fingerprint

    from chat_messages
    cross join fingerprint
    left join chat_sessions
        on chat_messages.session_id = chat_sessions.session_id
    left join visitor_messages
        on
            chat_messages.session_id = visitor_messages.session_id
            and chat_messages.message_id = visitor_messages.message_id
            and visitor_messages.visitor_message_rank = 1
            and chat_sessions.session_id is not null

)

select * from final
