-- twitter: every tweet of the mentions, the brand's timeline and search; a conversation started by a customer is a
-- contact, named by its first tweet (id = conversation_id) not written by the brand
with

tweets as (

    select * from {{ ref('stg_twitter__tweets') }}

),

interactions as (

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
        tweets.language,
        tweets.loaded_at as source_loaded_at,
        tweets.is_conversation_start and not tweets.is_outbound as opens_contact

    from tweets

),

final as (

    select
        *,
        {{ opened_contact('tweets') }}

    from interactions

)

select * from final
