{{ staged_table_config('message_id', 'email_messages') }}
{#
    Folding every message's headers is the costly part of staging (macros/staged_tables.sql): a table,
    incremental by message.
#}

with

source as (

    select * from {{ source('raw', 'email_messages') }} as raw
    {{ records_changed_since_stored('message_id') }}

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
        {{ inputs_fingerprint([model.name]) }} as inputs_fingerprint

    from headers_normalised

)

select * from renamed
