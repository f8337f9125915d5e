with

source as (

    select * from {{ source('raw', 'facebook_posts') }}

),

comments as (

    -- one row per element of the post's `comments.data` (fetched with filter(stream): replies are listed
    -- flat beside top-level comments and point to their parent)
    select
        source.record_key,
        source.loaded_at,
        comment.payload,
        comment.position

    from source
    cross join lateral jsonb_array_elements(
        case
            when jsonb_typeof(source.payload #> '{comments,data}') = 'array' then source.payload #> '{comments,data}'
            else '[]'::jsonb
        end
    ) with ordinality as comment (payload, position)

),

renamed as (

    select
        coalesce(
            nullif(trim(payload ->> 'id'), ''),
            record_key || ':#' || position::text
        ) as comment_id,
        record_key as post_id,
        record_key as source_record_key,
        nullif(trim(payload #>> '{parent,id}'), '') as parent_comment_id,
        nullif(trim(payload #>> '{from,id}'), '') as from_id,
        payload #>> '{from,name}' as from_name,
        payload ->> 'message' as comment_text,
        {{ parse_timestamp("payload ->> 'created_time'") }} as created_at,
        nullif(trim(payload #>> '{parent,id}'), '') is null as is_top_level,
        -- users' comments may come without `from` (Graph API privacy): only the page's own id is outbound
        coalesce(
            trim(payload #>> '{from,id}') in {{ organisation_accounts('organisation_facebook_page_ids') }},
            false
        ) as is_outbound,
        {{ data_issues([
            timestamp_issue("payload ->> 'created_time'", 'created_at')
        ]) }} as data_issues,
        loaded_at

    from comments

)

select * from renamed
