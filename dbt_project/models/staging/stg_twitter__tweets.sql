with

source as (

    select * from {{ source('raw', 'twitter_tweets') }}

),

renamed as (

    select
        record_key as tweet_id,
        record_key as source_record_key,
        nullif(trim(payload ->> 'conversation_id'), '') as conversation_id,
        nullif(trim(payload ->> 'author_id'), '') as author_id,
        {{ parse_timestamp("payload ->> 'created_at'") }} as created_at,
        payload ->> 'text' as tweet_text,
        nullif(lower(trim(payload ->> 'lang')), '') as language,
        nullif(trim(payload ->> 'in_reply_to_user_id'), '') as in_reply_to_user_id,
        jsonb_path_query_first(
            payload, '$.referenced_tweets[*] ? (@.type == "replied_to").id'
        ) #>> '{}' as replied_to_tweet_id,
        coalesce(record_key = trim(payload ->> 'conversation_id'), false) as is_conversation_start,
        coalesce(
            trim(payload ->> 'author_id') in {{ organisation_accounts('organisation_twitter_user_ids') }},
            false
        ) as is_outbound,
        {{ data_issues([
            timestamp_issue("payload ->> 'created_at'", 'created_at')
        ]) }} as data_issues,
        loaded_at

    from source

)

select * from renamed
