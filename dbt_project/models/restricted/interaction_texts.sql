with

interactions as (

    select * from {{ ref('fct_interactions') }}

),

texts as (

    select * from {{ ref('int_interactions') }}

),

final as (

    select
        interactions.interaction_id,
        interactions.contact_id,
        interactions.channel,
        interactions.direction,
        interactions.author_key,
        interactions.occurred_at,
        interactions.occurred_date,
        interactions.language,
        interactions.sentiment,
        texts.interaction_text

    from interactions
    inner join texts
        on interactions.interaction_id = texts.interaction_id
    where trim(coalesce(texts.interaction_text, '')) <> ''

)

select * from final
