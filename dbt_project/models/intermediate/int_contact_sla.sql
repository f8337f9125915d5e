-- The service levels of every contact whose channel has a target (seed sla_targets): its priority (from its agent's
-- disposition code, seed disposition_codes; normal without one), the target of its channel at that priority (at
-- normal priority when the channel has none for it), the clock it runs on, the minutes the first response took on
-- that clock, and whether it met the target (docs: def_sla_clock).
{{ incremental_contact_config(kept_in='int_contact_first_responses') }}

with

all_first_responses as (

    select * from {{ ref('int_contact_first_responses') }}

),

contacts as (

    select * from {{ ref('int_contacts') }}

),

fingerprint as (

    select * from {{ ref('int_contact_build_inputs') }}

),

first_responses as (

    {% if is_incremental() %}
    {{ contacts_changed_since_stored(ref('int_contact_first_responses'), 'contact_built_at') }}
    {% else %}
    select * from all_first_responses
    {% endif %}

),

disposition_codes as (

    select * from {{ ref('disposition_codes') }}

),

targets as (

    select * from {{ ref('sla_targets') }}

),

prioritised as (

    select
        first_responses.contact_id,
        first_responses.channel,
        first_responses.received_at,
        first_responses.first_response_at,
        coalesce(disposition_codes.priority, 'normal') as priority,
        contacts.built_at as contact_built_at

    from first_responses
    left join contacts
        on first_responses.contact_id = contacts.contact_id
    left join disposition_codes
        on contacts.disposition_code = disposition_codes.disposition_code

),

matched as (

    select distinct on (prioritised.contact_id)
        prioritised.*,
        targets.clock,
        targets.calendar,
        targets.first_response_target_minutes,
        targets.resolution_target_minutes

    from prioritised
    inner join targets
        on
            prioritised.channel = targets.channel
            and targets.priority in (prioritised.priority, 'normal')
    order by prioritised.contact_id, targets.priority = prioritised.priority desc

),

measured as (

    select
        *,
        {{ elapsed_minutes(
            'matched.received_at', 'matched.first_response_at', 'matched.clock', 'matched.calendar'
        ) }} as first_response_elapsed_minutes

    from matched

),

final as (

    select
        contact_id,
        channel,
        priority,
        clock,
        calendar,
        first_response_target_minutes,
        resolution_target_minutes,
        received_at,
        first_response_at,
        round(first_response_elapsed_minutes, 2) as first_response_elapsed_minutes,
        case
            when first_response_at is null then 'open'
            when first_response_elapsed_minutes <= first_response_target_minutes then 'met'
            else 'breached'
        end as first_response_sla_status,
        case
            when first_response_at is not null
                then round(greatest(0, first_response_elapsed_minutes - first_response_target_minutes), 2)
        end as first_response_breach_minutes,
        contact_built_at,
        fingerprint.inputs_fingerprint

    from measured
    cross join fingerprint

)

select * from final
