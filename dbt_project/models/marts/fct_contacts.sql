{{ incremental_contact_config(kept_in='int_contacts_classified') }}
-- depends_on: {{ ref('stg_review__classification_overrides') }}

with

all_contacts_classified as (

    select * from {{ ref('int_contacts_classified') }}

),

fingerprint as (

    select * from {{ ref('int_contact_build_inputs') }}

),

contacts_classified as (

    -- in an incremental build: the contacts whose conversation changed and those with a reviewer's decision (as in
    -- int_contacts_classified, which rewrote them in this build)
    {% if is_incremental() %}
    {{ contacts_changed_since_stored(ref('int_contacts_classified'), 'contact_built_at', reviewed=true) }}
    {% else %}
    select * from all_contacts_classified
    {% endif %}

),

first_responses as (

    select * from {{ ref('int_contact_first_responses') }}

),

service_levels as (

    select * from {{ ref('int_contact_sla') }}

),

response_times as (

    select
        contacts_classified.contact_id,
        first_responses.first_response_at,
        first_responses.first_response_at - contacts_classified.received_at as first_response_interval

    from contacts_classified
    inner join first_responses
        on contacts_classified.contact_id = first_responses.contact_id

),

final as (

    select
        contacts_classified.contact_id,
        contacts_classified.channel,
        contacts_classified.entity,
        contacts_classified.conversation_id,
        contacts_classified.source_record_key,
        contacts_classified.customer_key,
        contacts_classified.received_at,
        {{ local_date('contacts_classified.received_at') }} as received_date,
        {{ local_month_start('contacts_classified.received_at') }} as month_start_date,
        contacts_classified.language,
        contacts_classified.contact_type,
        contacts_classified.classified_by,
        contacts_classified.disposition_code,
        contacts_classified.model_contact_type,
        contacts_classified.model_probability,
        contacts_classified.model_runner_up,
        contacts_classified.model_evidence,
        contacts_classified.classifier_version,
        contacts_classified.is_low_confidence,
        contacts_classified.overridden_by,
        contacts_classified.overridden_at,
        contacts_classified.override_reason,
        contacts_classified.contact_type = 'complaint' as is_complaint,
        contacts_classified.contact_type in ('praise', 'suggestion') as is_feedback,
        response_times.first_response_at,
        round(
            (extract(epoch from response_times.first_response_interval) / 60)::numeric, 2
        ) as first_response_minutes,
        response_times.first_response_at is not null as is_responded,
        coalesce(
            response_times.first_response_interval <= interval '24 hours', false
        ) as is_responded_within_24h,
        service_levels.priority as sla_priority,
        service_levels.clock as sla_clock,
        service_levels.first_response_target_minutes,
        service_levels.first_response_elapsed_minutes as first_response_sla_minutes,
        service_levels.first_response_sla_status,
        service_levels.first_response_breach_minutes,
        case
            when service_levels.contact_id is not null then service_levels.first_response_sla_status = 'met'
        end as is_responded_within_sla,
        contacts_classified.contact_built_at,
        fingerprint.inputs_fingerprint

    from contacts_classified
    cross join fingerprint
    inner join response_times
        on contacts_classified.contact_id = response_times.contact_id
    left join service_levels
        on contacts_classified.contact_id = service_levels.contact_id

)

select * from final
