with

calls as (

    select * from {{ ref('stg_phone__calls') }}

),

email_messages as (

    select * from {{ ref('stg_email__messages') }}

),

chat_sessions as (

    select * from {{ ref('stg_chat__sessions') }}

),

chat_messages as (

    select * from {{ ref('stg_chat__messages') }}

),

tweets as (

    select * from {{ ref('stg_twitter__tweets') }}

),

facebook_comments as (

    select * from {{ ref('stg_facebook__comments') }}

),

web_mentions as (

    select * from {{ ref('stg_web__mentions') }}

),

survey_responses as (

    select * from {{ ref('stg_surveys__responses') }}

),

phone_contacts as (

    -- every call is a contact, answered or abandoned
    select
        'phone' as channel,
        'calls' as entity,
        calls.call_id as contact_key,
        calls.source_record_key,
        calls.call_id as conversation_id,
        {{ pseudonym('phone', 'calls.caller_number') }} as customer_key,
        calls.started_at as received_at,
        cast(null as text) as contact_text,
        calls.disposition_code,
        calls.language

    from calls

),

email_thread_dispositions as (

    -- the helpdesk codes a thread on an agent reply: the earliest coded outbound message wins
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

email_contacts as (

    -- a thread is a contact when its root message (the one the thread is named after) is inbound
    select
        'email' as channel,
        'messages' as entity,
        email_messages.thread_id as contact_key,
        email_messages.source_record_key,
        email_messages.thread_id as conversation_id,
        {{ pseudonym('email', 'email_messages.from_address') }} as customer_key,
        email_messages.sent_at as received_at,
        concat_ws(' ', email_messages.subject, email_messages.body) as contact_text,
        email_thread_dispositions.disposition_code,
        email_messages.language

    from email_messages
    left join email_thread_dispositions
        on
            email_messages.thread_id = email_thread_dispositions.thread_id
            and email_thread_dispositions.disposition_rank = 1
    where
        email_messages.message_id = email_messages.thread_id
        and not email_messages.is_outbound

),

chat_visitor_messages as (

    select
        session_id,
        sent_at,
        message_text,
        row_number() over (
            partition by session_id
            order by sent_at, message_position
        ) as visitor_message_rank

    from chat_messages
    where is_from_visitor

),

chat_contacts as (

    -- a session is a contact from the visitor's first message; sessions with no visitor message are not
    select
        'chat' as channel,
        'sessions' as entity,
        chat_sessions.session_id as contact_key,
        chat_sessions.source_record_key,
        chat_sessions.session_id as conversation_id,
        {{ pseudonym('chat', 'chat_sessions.visitor_id') }} as customer_key,
        chat_visitor_messages.sent_at as received_at,
        chat_visitor_messages.message_text as contact_text,
        chat_sessions.disposition_code,
        chat_sessions.language

    from chat_sessions
    inner join chat_visitor_messages
        on
            chat_sessions.session_id = chat_visitor_messages.session_id
            and chat_visitor_messages.visitor_message_rank = 1

),

twitter_contacts as (

    -- a conversation started by a customer: its first tweet (id = conversation_id) not written by the brand
    select
        'twitter' as channel,
        'tweets' as entity,
        tweets.tweet_id as contact_key,
        tweets.source_record_key,
        tweets.conversation_id,
        {{ pseudonym('twitter', 'tweets.author_id') }} as customer_key,
        tweets.created_at as received_at,
        tweets.tweet_text as contact_text,
        cast(null as text) as disposition_code,
        tweets.language

    from tweets
    where
        tweets.is_conversation_start
        and not tweets.is_outbound

),

facebook_contacts as (

    -- a comment thread started by someone other than the page: its top-level comment
    select
        'facebook' as channel,
        'comments' as entity,
        facebook_comments.comment_id as contact_key,
        facebook_comments.source_record_key,
        facebook_comments.comment_id as conversation_id,
        {{ pseudonym('facebook', 'facebook_comments.from_id') }} as customer_key,
        facebook_comments.created_at as received_at,
        facebook_comments.comment_text as contact_text,
        cast(null as text) as disposition_code,
        cast(null as text) as language

    from facebook_comments
    where
        facebook_comments.is_top_level
        and not facebook_comments.is_outbound

),

web_contacts as (

    select
        'web' as channel,
        'mentions' as entity,
        web_mentions.mention_id as contact_key,
        web_mentions.source_record_key,
        web_mentions.mention_id as conversation_id,
        {{ pseudonym('web', 'web_mentions.author') }} as customer_key,
        web_mentions.published_at as received_at,
        concat_ws(' ', web_mentions.title, web_mentions.summary) as contact_text,
        cast(null as text) as disposition_code,
        web_mentions.language

    from web_mentions

),

survey_contacts as (

    select
        'surveys' as channel,
        'responses' as entity,
        survey_responses.response_id as contact_key,
        survey_responses.source_record_key,
        survey_responses.response_id as conversation_id,
        cast(null as text) as customer_key,
        survey_responses.submitted_at as received_at,
        survey_responses.comment as contact_text,
        cast(null as text) as disposition_code,
        survey_responses.language

    from survey_responses

),

unioned as (

    select * from phone_contacts
    union all
    select * from email_contacts
    union all
    select * from chat_contacts
    union all
    select * from twitter_contacts
    union all
    select * from facebook_contacts
    union all
    select * from web_contacts
    union all
    select * from survey_contacts

),

final as (

    select
        channel || ':' || contact_key as contact_id,
        channel,
        entity,
        contact_key,
        source_record_key,
        conversation_id,
        customer_key,
        received_at,
        contact_text,
        disposition_code,
        language

    from unioned
    -- a contact whose time could not be read belongs to no period: it is left out here and stays visible as a
    -- row of marts.data_issues (e.g. `started_at: no UTC offset, not read`), counted in the report
    where received_at is not null

)

select * from final
