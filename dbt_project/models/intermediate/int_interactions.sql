-- every channel's interactions (models/intermediate/channels/), in one shape
{{
    incremental_table_config(
        'conversation_key',
        fingerprint='interaction_inputs_fingerprint()',
        post_hooks=[
            "{% if is_incremental() %}
            delete from {{ this }} as stored
            where not exists (
                select from ({{ union_channel_interactions() }}) as upstream
                where
                    upstream.channel = stored.channel
                    and upstream.entity = stored.entity
                    and upstream.record_id = stored.record_id
            )
            {% endif %}",
            "{{ ensure_index(['interaction_id'], unique=true) }}",
            "{{ ensure_index(['built_at']) }}",
            "{{ ensure_index(['conversation_key']) }}",
        ],
        bookkeeping=['conversation_key', 'source_loaded_at', 'inputs_fingerprint', 'built_at'],
    )
}}
{#
    Incremental by conversation: a build rewrites every interaction of each conversation in which anything changed
    since the last build, and nothing else. Changed means, interaction by interaction, a source record landed,
    corrected or removed: its `source_loaded_at` differs from the stored one (a record landed again with a new
    payload gets a new `loaded_at`); an interaction that moved to another conversation rewrites both. Whole
    conversations, because an interaction's columns can depend on its conversation (an e-mail thread's disposition
    code is its first coded reply's; a chat session's visitor opens it). The comparison is of state, not of a time
    watermark, so a landing that overlapped the last build is not missed. The post-hook removes the interactions of
    conversations that left raw entirely (erasure, retention). When the settings or code the rows depend on change
    (`inputs_fingerprint`: the channel models', this model's and fct_interactions' SQL), the pre-hook forgets every
    row, so all are rewritten, and fct_interactions, which follows the rows this model rewrites, with them.
#}

with

unioned as (

    {{ union_channel_interactions() }}

),

fingerprint as (

    select {{ interaction_inputs_fingerprint() }} as inputs_fingerprint

),

-- read twice in an incremental build (to compare, then to select the changed conversations): two scans of the
-- channel tables cost a third of writing every interaction, texts and all, to a temporary store and reading it back
interactions as not materialized (

    select
        channel || ':' || entity || ':' || record_id as interaction_id,
        channel,
        entity,
        record_id,
        source_record_key,
        conversation_id,
        -- the unit an incremental build rewrites: the conversation, or the interaction itself when it has none
        channel || ':' || coalesce(conversation_id, entity || ':' || record_id) as conversation_key,
        direction,
        occurred_at,
        author_key,
        interaction_text,
        disposition_code,
        language,
        contact_key,
        contact_entity,
        contact_customer_key,
        contact_disposition_code,
        source_loaded_at,
        fingerprint.inputs_fingerprint

    from unioned
    cross join fingerprint

),

{% if is_incremental() %}

stored as (

    select
        interaction_id,
        conversation_key,
        source_loaded_at

    from {{ this }}

),

changes as (

    select
        interactions.conversation_key,
        stored.conversation_key as stored_conversation_key

    from interactions
    full join stored
        on interactions.interaction_id = stored.interaction_id
    where interactions.source_loaded_at is distinct from stored.source_loaded_at

),

changed_conversations as (

    select conversation_key from changes where conversation_key is not null
    union
    select stored_conversation_key from changes where stored_conversation_key is not null

),

{% endif %}

final as (

    select
        *,
        now() as built_at

    from interactions
    {% if is_incremental() %}
    where conversation_key in (select changed_conversations.conversation_key from changed_conversations)
    {% endif %}

)

select * from final
