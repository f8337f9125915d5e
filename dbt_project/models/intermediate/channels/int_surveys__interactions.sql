-- surveys: every response is a contact of its own (anonymous: no customer key)
with

survey_responses as (

    select * from {{ ref('stg_surveys__responses') }}

),

interactions as (

    select
        'surveys' as channel,
        'responses' as entity,
        survey_responses.response_id as record_id,
        survey_responses.source_record_key,
        survey_responses.response_id as conversation_id,
        'inbound' as direction,
        survey_responses.submitted_at as occurred_at,
        cast(null as text) as author_key,
        survey_responses.comment as interaction_text,
        cast(null as text) as disposition_code,
        survey_responses.language,
        survey_responses.loaded_at as source_loaded_at,
        true as opens_contact

    from survey_responses

),

final as (

    select
        *,
        {{ opened_contact('responses') }}

    from interactions

)

select * from final
