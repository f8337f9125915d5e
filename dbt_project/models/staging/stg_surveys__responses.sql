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
        nullif(trim(payload ->> 'csat'), '')::integer as csat_score,
        nullif(trim(payload ->> 'nps'), '')::integer as nps_score,
        nullif(trim(payload ->> 'comment'), '') as comment,
        nullif(lower(trim(payload ->> 'language')), '') as language,
        loaded_at

    from source

)

select * from renamed
