with

interactions as (

    select * from {{ ref('int_interactions') }}

),

predictions as (

    select * from {{ ref('int_text_predictions') }}
    where model_name = 'sentiment'

),

final as (

    -- what customers and the public write: the organisation's own messages carry no customer sentiment
    select
        interactions.interaction_id,
        predictions.label as sentiment,
        predictions.probability as sentiment_probability,
        predictions.evidence as sentiment_evidence,
        predictions.model_version as sentiment_model_version

    from interactions
    inner join predictions
        on md5(interactions.interaction_text) = predictions.text_hash
    where
        interactions.direction = 'inbound'
        and trim(coalesce(interactions.interaction_text, '')) <> ''

)

select * from final
