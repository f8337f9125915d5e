{{
    incremental_table_config(
        'conversation_key',
        post_hooks=[
            "{% if is_incremental() %}
            delete from {{ this }} as stored
            where not exists (
                select from {{ ref('int_interactions') }} as interactions
                where interactions.interaction_id = stored.interaction_id
            )
            {% endif %}",
            "{{ ensure_index(['interaction_id'], unique=true) }}",
            "{{ ensure_index(['conversation_key']) }}",
        ],
        bookkeeping=['conversation_key', 'built_at'],
    )
}}
{#
    Incremental by conversation, following int_interactions: a build rewrites the conversations whose interactions
    int_interactions rewrote since this model's last build (their `built_at` is later than any stored) and those
    scored by an earlier sentiment model than the installed one; the post-hook removes interactions that left
    int_interactions. A contact belongs to its conversation, so its id is rewritten with it.
#}
-- depends_on: {{ source('classifier', 'models') }}

with

{% if is_incremental() %}

changed_conversations as (

    -- int_interactions stamps the rows of each build later than the last (builds do not overlap)
    select interactions.conversation_key

    from {{ ref('int_interactions') }} as interactions
    where interactions.built_at > {{ stored_maximum('built_at') }}

    union

    select stored.conversation_key

    from {{ this }} as stored
    where
        stored.sentiment is not null
        {%- set sentiment_version = installed_model_version('sentiment') %}
        {%- if sentiment_version is not none %}
        and stored.sentiment_model_version <> '{{ sentiment_version | replace("'", "''") }}'
        {%- endif %}

),

{% endif %}

interactions as (

    select * from {{ ref('int_interactions') }}
    {% if is_incremental() %}
    where conversation_key in (select changed_conversations.conversation_key from changed_conversations)
    {% endif %}

),

contacts as (

    select * from {{ ref('int_contacts') }}
    {% if is_incremental() %}
    where conversation_key in (select changed_conversations.conversation_key from changed_conversations)
    {% endif %}

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
        interactions.conversation_key,
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
        sentiments.sentiment_model_version,
        interactions.built_at

    from interactions
    left join contacts
        on
            interactions.channel = contacts.channel
            and interactions.conversation_id = contacts.conversation_id
    left join sentiments
        on interactions.interaction_id = sentiments.interaction_id

)

select * from final
