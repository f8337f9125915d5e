with

interactions as (

    select * from {{ ref('int_interactions') }}

),

contacts as (

    select * from {{ ref('int_contacts') }}

),

sentiments as (

    select * from {{ ref('int_interactions_sentiment') }}

),

final as (

    select
        interactions.interaction_id,
        interactions.channel,
        interactions.entity,
        interactions.source_record_key,
        interactions.conversation_id,
        contacts.contact_id,
        interactions.direction,
        interactions.occurred_at,
        {{ local_date('interactions.occurred_at') }} as occurred_date,
        interactions.author_key,
        interactions.disposition_code,
        interactions.language,
        sentiments.sentiment,
        sentiments.sentiment_probability,
        sentiments.sentiment_evidence,
        sentiments.sentiment_model_version

    from interactions
    left join contacts
        on
            interactions.channel = contacts.channel
            and interactions.conversation_id = contacts.conversation_id
    left join sentiments
        on interactions.interaction_id = sentiments.interaction_id

)

select * from final
