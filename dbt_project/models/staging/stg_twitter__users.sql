with

source as (

    select * from {{ source('raw', 'twitter_users') }}

),

renamed as (

    select
        record_key as user_id,
        record_key as source_record_key,
        payload ->> 'name' as user_name,
        nullif(trim(payload ->> 'username'), '') as username,
        record_key in {{ organisation_accounts('organisation_twitter_user_ids') }} as is_organisation,
        loaded_at

    from source

)

select * from renamed
