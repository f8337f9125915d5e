with

interactions as (

    select * from {{ ref('int_interactions') }}

),

contacts as (

    select * from {{ ref('int_contacts') }}

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
        interactions.author_ref,
        interactions.interaction_text,
        interactions.disposition_code,
        interactions.language

    from interactions
    left join contacts
        on
            interactions.channel = contacts.channel
            and interactions.conversation_id = contacts.conversation_id

)

select * from final
