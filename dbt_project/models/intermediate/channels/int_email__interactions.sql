-- email: every message of the mailbox; a thread is a contact when its root message (the one the thread is named
-- after) is inbound, and the helpdesk codes the thread on an agent reply (the earliest coded outbound one wins)
with

email_messages as (

    select * from {{ ref('stg_email__messages') }}

),

thread_dispositions as (

    select
        thread_id,
        disposition_code,
        row_number() over (
            partition by thread_id
            order by sent_at, message_id
        ) as disposition_rank

    from email_messages
    where
        is_outbound
        and disposition_code is not null

),

interactions as (

    select
        'email' as channel,
        'messages' as entity,
        email_messages.message_id as record_id,
        email_messages.source_record_key,
        email_messages.thread_id as conversation_id,
        case when email_messages.is_outbound then 'outbound' else 'inbound' end as direction,
        email_messages.sent_at as occurred_at,
        {{ pseudonym('email', 'email_messages.from_address') }} as author_key,
        concat_ws(' ', email_messages.subject, email_messages.body) as interaction_text,
        email_messages.disposition_code,
        email_messages.language,
        email_messages.loaded_at as source_loaded_at,
        email_messages.message_id = email_messages.thread_id and not email_messages.is_outbound as opens_contact

    from email_messages

),

final as (

    select
        interactions.*,
        {{ opened_contact('messages', 'thread_dispositions.disposition_code') }}

    from interactions
    left join thread_dispositions
        on
            interactions.conversation_id = thread_dispositions.thread_id
            and thread_dispositions.disposition_rank = 1

)

select * from final
