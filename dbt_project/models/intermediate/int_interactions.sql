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

facebook_posts as (

    select * from {{ ref('stg_facebook__posts') }}

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

call_interactions as (

    -- the call-centre export holds inbound calls; answering is the call's first response, not a separate row
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

email_interactions as (

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
        email_messages.language

    from email_messages

),

chat_interactions as (

    -- system notices (joined, left, transferred) are kept with their own direction for completeness
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
        chat_sessions.language

    from chat_messages
    left join chat_sessions
        on chat_messages.session_id = chat_sessions.session_id

),

tweet_interactions as (

    select
        'twitter' as channel,
        'tweets' as entity,
        tweets.tweet_id as record_id,
        tweets.source_record_key,
        tweets.conversation_id,
        case when tweets.is_outbound then 'outbound' else 'inbound' end as direction,
        tweets.created_at as occurred_at,
        {{ pseudonym('twitter', 'tweets.author_id') }} as author_key,
        tweets.tweet_text as interaction_text,
        cast(null as text) as disposition_code,
        tweets.language

    from tweets

),

facebook_post_interactions as (

    select
        'facebook' as channel,
        'posts' as entity,
        facebook_posts.post_id as record_id,
        facebook_posts.source_record_key,
        facebook_posts.post_id as conversation_id,
        case when facebook_posts.is_outbound then 'outbound' else 'inbound' end as direction,
        facebook_posts.created_at as occurred_at,
        {{ pseudonym('facebook', 'facebook_posts.from_id') }} as author_key,
        facebook_posts.post_text as interaction_text,
        cast(null as text) as disposition_code,
        cast(null as text) as language

    from facebook_posts

),

facebook_comment_interactions as (

    -- a comment thread is named by its top-level comment; a reply belongs to the thread of its parent
    select
        'facebook' as channel,
        'comments' as entity,
        facebook_comments.comment_id as record_id,
        facebook_comments.source_record_key,
        coalesce(facebook_comments.parent_comment_id, facebook_comments.comment_id) as conversation_id,
        case when facebook_comments.is_outbound then 'outbound' else 'inbound' end as direction,
        facebook_comments.created_at as occurred_at,
        {{ pseudonym('facebook', 'facebook_comments.from_id') }} as author_key,
        facebook_comments.comment_text as interaction_text,
        cast(null as text) as disposition_code,
        cast(null as text) as language

    from facebook_comments

),

web_interactions as (

    select
        'web' as channel,
        'mentions' as entity,
        web_mentions.mention_id as record_id,
        web_mentions.source_record_key,
        web_mentions.mention_id as conversation_id,
        'inbound' as direction,
        web_mentions.published_at as occurred_at,
        {{ pseudonym('web', 'web_mentions.author') }} as author_key,
        concat_ws(' ', web_mentions.title, web_mentions.summary) as interaction_text,
        cast(null as text) as disposition_code,
        web_mentions.language

    from web_mentions

),

survey_interactions as (

    select
        'surveys' as channel,
        'responses' as entity,
        survey_responses.response_id as record_id,
        survey_responses.source_record_key,
        survey_responses.response_id as conversation_id,
        'inbound' as direction,
        survey_responses.submitted_at as occurred_at,
        cast(null as text) as author_key,
        survey_responses.comment as interaction_text,
        cast(null as text) as disposition_code,
        survey_responses.language

    from survey_responses

),

unioned as (

    select * from call_interactions
    union all
    select * from email_interactions
    union all
    select * from chat_interactions
    union all
    select * from tweet_interactions
    union all
    select * from facebook_post_interactions
    union all
    select * from facebook_comment_interactions
    union all
    select * from web_interactions
    union all
    select * from survey_interactions

),

final as (

    select
        channel || ':' || entity || ':' || record_id as interaction_id,
        channel,
        entity,
        record_id,
        source_record_key,
        conversation_id,
        direction,
        occurred_at,
        author_key,
        interaction_text,
        disposition_code,
        language

    from unioned

)

select * from final
