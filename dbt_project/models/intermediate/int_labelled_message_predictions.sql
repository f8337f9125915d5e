with

labelled_messages as (

    select * from {{ ref('labelled_messages') }}
    union all
    select * from {{ ref('held_out_messages') }}

),

message_texts as (

    select
        models.model_name,
        labelled_messages.message_id as text_id,
        labelled_messages.text as classifier_text

    from labelled_messages
    cross join (values ('contact_type'), ('sentiment')) as models (model_name)

),

predictions as (

    {{ classifier_predictions('message_texts', ['contact_type', 'sentiment']) }}

),

type_predictions as (

    select * from predictions
    where model_name = 'contact_type'

),

sentiment_predictions as (

    select * from predictions
    where model_name = 'sentiment'

),

final as (

    select
        labelled_messages.message_id,
        labelled_messages.language,
        labelled_messages.split,
        labelled_messages.contact_type,
        type_predictions.label as predicted_contact_type,
        type_predictions.probability as contact_type_probability,
        type_predictions.evidence as contact_type_evidence,
        type_predictions.model_version as contact_type_model_version,
        labelled_messages.sentiment,
        sentiment_predictions.label as predicted_sentiment,
        sentiment_predictions.probability as sentiment_probability,
        sentiment_predictions.evidence as sentiment_evidence,
        sentiment_predictions.model_version as sentiment_model_version

    from labelled_messages
    left join type_predictions
        on labelled_messages.message_id = type_predictions.text_id
    left join sentiment_predictions
        on labelled_messages.message_id = sentiment_predictions.text_id

)

select * from final
