with

source as (

    select * from {{ source('raw', 'survey_responses') }}

),

renamed as (

    select
        record_key as response_id,
        record_key as source_record_key,
        {{ parse_timestamp("payload ->> 'submitted_at'") }} as submitted_at,
        nullif(lower(trim(payload ->> 'contact_channel')), '') as contact_channel,
        nullif(trim(both '<> ' from payload ->> 'contact_ref'), '') as contact_ref,
        {{ cast_in_range_or_null("payload ->> 'csat'", 'integer', 1, 5) }} as csat_score,
        {{ cast_in_range_or_null("payload ->> 'nps'", 'integer', 0, 10) }} as nps_score,
        nullif(trim(payload ->> 'comment'), '') as comment,
        nullif(lower(trim(payload ->> 'language')), '') as language,
        {{ data_issues([
            timestamp_issue("payload ->> 'submitted_at'", 'submitted_at'),
            cast_issue("payload ->> 'csat'", 'integer', 'csat'),
            cast_issue("payload ->> 'nps'", 'integer', 'nps'),
            range_issue("payload ->> 'csat'", 'integer', 'csat', 1, 5),
            range_issue("payload ->> 'nps'", 'integer', 'nps', 0, 10)
        ]) }} as data_issues,
        loaded_at

    from source

)

select * from renamed
