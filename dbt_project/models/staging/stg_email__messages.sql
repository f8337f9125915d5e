{{
    config(
        materialized='incremental',
        unique_key='message_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=["{{ forget_rows_built_with_other_inputs(inputs_fingerprint(['stg_email__messages'])) }}"],
        post_hook=[
            "{% if is_incremental() %}
            delete from {{ this }} as stored
            where not exists (
                select from {{ source('raw', 'email_messages') }} as raw where raw.record_key = stored.message_id
            )
            {% endif %}",
        ],
    )
}}
{#
    A table, not a view: folding every message's headers is the costly part of staging, and the channel's
    interactions, the data issues and this model's tests would each fold them again. Incremental by message: a
    build folds the messages landed or corrected since the last one (their `loaded_at` differs from the stored
    row's) and nothing else; the post-hook removes messages that left raw (erasure, retention). A changed setting
    (the organisation's addresses, the offset policy) or a new version of this model forgets every row first
    (`inputs_fingerprint`), so all are folded again.
#}
{{ require_incremental_columns(['loaded_at', 'inputs_fingerprint']) }}

with

source as (

    select * from {{ source('raw', 'email_messages') }} as raw
    {% if is_incremental() %}
    where not exists (
        select from {{ this }} as stored
        where stored.message_id = raw.record_key and stored.loaded_at = raw.loaded_at
    )
    {% endif %}

),

headers_normalised as (

    -- header names are case-insensitive (RFC 5322): look them up by their lowercased name (a lateral subquery, so
    -- each row's headers are folded once, not once per column that reads them)
    select
        source.record_key,
        source.payload,
        source.loaded_at,
        normalised.headers

    from source
    cross join lateral (
        select jsonb_object_agg(lower(header.key), header.value) as headers
        from jsonb_each(source.payload -> 'headers') as header
    ) as normalised

),

renamed as (

    select
        record_key as message_id,
        record_key as source_record_key,
        -- the thread is named by its root: the first id in References, else the message itself
        coalesce(
            nullif(trim(substring(headers ->> 'references' from '<([^<>]+)>')), ''),
            nullif(trim(both '<>' from split_part(trim(headers ->> 'references'), ' ', 1)), ''),
            record_key
        ) as thread_id,
        nullif(trim(substring(headers ->> 'in-reply-to' from '<([^<>]+)>')), '') as in_reply_to_message_id,
        {{ parse_timestamp("headers ->> 'date'") }} as sent_at,
        headers ->> 'from' as from_header,
        lower(trim(coalesce(
            substring(headers ->> 'from' from '<([^<>]+)>'),
            headers ->> 'from'
        ))) as from_address,
        headers ->> 'to' as to_header,
        headers ->> 'subject' as subject,
        payload ->> 'body' as body,
        nullif(lower(trim(split_part(headers ->> 'content-language', ',', 1))), '') as language,
        nullif(upper(trim(headers ->> 'x-disposition-code')), '') as disposition_code,
        coalesce(
            lower(trim(coalesce(
                substring(headers ->> 'from' from '<([^<>]+)>'),
                headers ->> 'from'
            ))) in {{ organisation_accounts('organisation_email_addresses') }},
            false
        ) as is_outbound,
        {{ data_issues([
            timestamp_issue("headers ->> 'date'", 'sent_at')
        ]) }} as data_issues,
        loaded_at,
        {{ inputs_fingerprint(['stg_email__messages']) }} as inputs_fingerprint

    from headers_normalised

)

select * from renamed
