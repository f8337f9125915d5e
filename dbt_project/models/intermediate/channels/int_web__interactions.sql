-- web: every mention in a blog or alert feed is a contact of its own
with

web_mentions as (

    select * from {{ ref('stg_web__mentions') }}

),

interactions as (

    select
        'web' as channel,
        'mentions' as entity,
        web_mentions.mention_id as record_id,
        web_mentions.source_record_key,
        web_mentions.mention_id as conversation_id,
        'inbound' as direction,
        web_mentions.published_at as occurred_at,
        {{ pseudonym('web', 'web_mentions.author') }} as author_key,
        concat_ws(' ', web_mentions.title, web_mentions.summary) as interaction_text,
        cast(null as text) as disposition_code,
        web_mentions.language,
        web_mentions.loaded_at as source_loaded_at,
        true as opens_contact

    from web_mentions

),

final as (

    select
        *,
        {{ opened_contact('mentions', 'cast(null as text)') }}

    from interactions

)

select * from final
