{{ incremental_contact_config() }}

with

all_contacts as (

    select * from {{ ref('int_contacts') }}

),

fingerprint as (

    select * from {{ ref('int_contact_build_inputs') }}

),

contacts as (

    {% if is_incremental() %}
    {{ contacts_changed_since_stored(ref('int_contacts')) }}
    {% else %}
    select * from all_contacts
    {% endif %}

),

interactions as (

    select * from {{ ref('int_interactions') }}

),

calls as (

    select * from {{ ref('stg_phone__calls') }}

),

replies_after_receipt as (

    -- the organisation's outbound interactions in the contact's conversation, strictly after it was received
    select
        contacts.contact_id,
        interactions.interaction_id,
        interactions.occurred_at,
        row_number() over (
            partition by contacts.contact_id
            order by interactions.occurred_at, interactions.interaction_id
        ) as reply_rank

    from contacts
    inner join interactions
        on
            contacts.channel = interactions.channel
            and contacts.conversation_id = interactions.conversation_id
            and interactions.direction = 'outbound'
            and interactions.occurred_at > contacts.received_at

),

first_replies as (

    select
        contact_id,
        interaction_id,
        occurred_at

    from replies_after_receipt
    where reply_rank = 1

),

call_answers as (

    -- a call is responded when an agent answers it; an abandoned call never is
    select
        contacts.contact_id,
        'phone:calls:' || calls.call_id as interaction_id,
        calls.answered_at as occurred_at

    from contacts
    inner join calls
        on
            contacts.channel = 'phone'
            and contacts.conversation_id = calls.call_id
    where
        not calls.is_abandoned
        and calls.answered_at is not null

),

final as (

    select
        contacts.contact_id,
        contacts.channel,
        contacts.received_at,
        case
            when contacts.channel = 'phone' then call_answers.interaction_id
            else first_replies.interaction_id
        end as first_response_interaction_id,
        case
            when contacts.channel = 'phone' then call_answers.occurred_at
            else first_replies.occurred_at
        end as first_response_at,
        contacts.built_at as contact_built_at,
        fingerprint.inputs_fingerprint

    from contacts
    cross join fingerprint
    left join first_replies
        on contacts.contact_id = first_replies.contact_id
    left join call_answers
        on contacts.contact_id = call_answers.contact_id

)

select * from final
