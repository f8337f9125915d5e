-- every channel's interactions (models/intermediate/channels/), in one shape
{{ config(materialized='view') }}

with

unioned as (

    {{ union_channel_interactions() }}

),

final as (

    select
        channel || ':' || entity || ':' || record_id as interaction_id,
        channel,
        entity,
        record_id,
        source_record_key,
        conversation_id,
        direction,
        occurred_at,
        author_key,
        interaction_text,
        disposition_code,
        language

    from unioned

)

select * from final
