{{ incremental_contact_config() }}

with

all_contacts as (

    select * from {{ ref('int_contacts') }}

),

fingerprint as (

    select * from {{ ref('int_contact_build_inputs') }}

),

disposition_codes as (

    select * from {{ ref('disposition_codes') }}

),

classifier_models as (

    select * from {{ source('classifier', 'models') }}

),

overrides as (

    select * from {{ ref('stg_review__classification_overrides') }}

),

predictions as (

    -- blank texts are not scored: a contact without words stays unclassified unless a person or a code decides
    select * from {{ ref('int_text_predictions') }}
    where model_name = 'contact_type'

),

latest_overrides as (

    -- the latest decision per contact wins; a decision without a type reverts the contact to automatic
    select
        contact_id,
        contact_type,
        override_reason,
        overridden_by,
        overridden_at,
        row_number() over (partition by contact_id order by overridden_at desc, override_id desc) as decision_rank

    from overrides

),

contacts as (

    -- in an incremental build: the contacts whose conversation changed, and those with a reviewer's decision
    {% if is_incremental() %}
    {{ contacts_changed_since_stored(ref('int_contacts'), reviewed=true) }}
    {% else %}
    select * from all_contacts
    {% endif %}

),

review_threshold as (

    select review_threshold

    from classifier_models
    where model_name = 'contact_type'

),

final as (

    select
        contacts.contact_id,
        contacts.channel,
        contacts.entity,
        contacts.contact_key,
        contacts.source_record_key,
        contacts.conversation_id,
        contacts.customer_key,
        contacts.received_at,
        contacts.contact_text,
        contacts.disposition_code,
        contacts.language,
        case
            when latest_overrides.contact_type is not null then latest_overrides.contact_type
            when disposition_codes.contact_type is not null then disposition_codes.contact_type
            when predictions.label is not null then predictions.label
            else 'unclassified'
        end as contact_type,
        case
            when latest_overrides.contact_type is not null then 'override'
            when disposition_codes.contact_type is not null then 'disposition'
            when predictions.label is not null then 'model'
            else 'none'
        end as classified_by,
        predictions.label as model_contact_type,
        predictions.probability as model_probability,
        predictions.runner_up as model_runner_up,
        predictions.evidence as model_evidence,
        predictions.model_version as classifier_version,
        coalesce(
            latest_overrides.contact_type is null
            and disposition_codes.contact_type is null
            and predictions.probability < review_threshold.review_threshold,
            false
        ) as is_low_confidence,
        latest_overrides.overridden_by,
        latest_overrides.overridden_at,
        latest_overrides.override_reason,
        contacts.built_at as contact_built_at,
        fingerprint.inputs_fingerprint

    from contacts
    cross join fingerprint
    cross join review_threshold
    left join disposition_codes
        on contacts.disposition_code = disposition_codes.disposition_code
    left join predictions
        on
            md5(contacts.contact_text) = predictions.text_hash
            and trim(coalesce(contacts.contact_text, '')) <> ''
    left join latest_overrides
        on
            contacts.contact_id = latest_overrides.contact_id
            and latest_overrides.decision_rank = 1
            and latest_overrides.contact_type is not null

)

select * from final
