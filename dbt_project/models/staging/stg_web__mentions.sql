with

source as (

    select * from {{ source('raw', 'web_mentions') }}

),

renamed as (

    select
        record_key as mention_id,
        record_key as source_record_key,
        payload ->> 'feed_title' as feed_title,
        nullif(lower(trim(payload ->> 'feed_format')), '') as feed_format,
        nullif(trim(payload ->> 'id'), '') as item_id,
        nullif(trim(payload ->> 'link'), '') as link,
        payload ->> 'title' as title,
        payload ->> 'summary' as summary,
        nullif(trim(payload ->> 'author'), '') as author,
        {{ parse_timestamp("payload ->> 'published'") }} as published_at,
        nullif(lower(trim(payload ->> 'language')), '') as language,
        {{ data_issues([
            timestamp_issue("payload ->> 'published'", 'published_at')
        ]) }} as data_issues,
        loaded_at

    from source

)

select * from renamed
