with

source as (

    select * from {{ source('raw', 'facebook_posts') }}

),

renamed as (

    select
        record_key as post_id,
        record_key as source_record_key,
        nullif(trim(payload #>> '{from,id}'), '') as from_id,
        payload #>> '{from,name}' as from_name,
        payload ->> 'message' as post_text,
        {{ parse_timestamp("payload ->> 'created_time'") }} as created_at,
        case
            when jsonb_typeof(payload #> '{comments,data}') = 'array' then jsonb_array_length(payload #> '{comments,data}')
            else 0
        end as comment_count,
        coalesce(
            trim(payload #>> '{from,id}') in {{ organisation_accounts('organisation_facebook_page_ids') }},
            false
        ) as is_outbound,
        {{ data_issues([
            timestamp_issue("payload ->> 'created_time'", 'created_at')
        ]) }} as data_issues,
        loaded_at

    from source

)

select * from renamed
