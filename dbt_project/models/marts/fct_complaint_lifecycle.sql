-- One row per complaint with its ISO 10002 stages: received, acknowledged (first response), assigned, resolved,
-- closed, and reopenings; from the complaint's helpdesk case where it has one, from its conversation otherwise
-- (docs: def_complaint_lifecycle).
with

complaints as (

    select * from {{ ref('fct_complaints') }}

),

cases as (

    select
        *,
        row_number() over (partition by contact_id order by opened_at, case_id) as case_rank

    from {{ ref('int_case_lifecycles') }}

),

interactions as (

    select * from {{ ref('int_interactions') }}

),

targets as (

    -- each complaint's targets at its priority (int_contact_sla)
    select * from {{ ref('int_contact_sla') }}

),

pauses as (

    select * from {{ ref('int_case_pauses') }}

),

conversation_turns as (

    -- the conversation of each complaint, in order: a customer's message after an organisation's reply reopens it
    select
        complaints.complaint_id,
        interactions.direction,
        interactions.occurred_at,
        lag(interactions.direction) over (
            partition by complaints.complaint_id
            order by interactions.occurred_at, interactions.interaction_id
        ) as previous_direction

    from complaints
    inner join interactions
        on
            complaints.channel = interactions.channel
            and complaints.conversation_id = interactions.conversation_id
    where
        interactions.direction in ('inbound', 'outbound')
        and interactions.occurred_at >= complaints.received_at

),

conversations as (

    select
        complaint_id,
        max(occurred_at) filter (where direction = 'outbound') as last_response_at,
        max(occurred_at) filter (where direction = 'inbound') as last_customer_at,
        count(*) filter (where direction = 'inbound' and previous_direction = 'outbound') as reopen_count

    from conversation_turns
    group by complaint_id

),

stages as (

    select
        complaints.complaint_id,
        complaints.channel,
        complaints.month_start_date,
        complaints.received_at,
        complaints.first_response_at as acknowledged_at,
        case when cases.case_id is not null then 'case' else 'conversation' end as lifecycle_source,
        cases.case_id,
        cases.category as case_category,
        cases.root_cause,
        cases.assigned_at,
        cases.first_resolved_at as case_first_resolved_at,
        cases.resolved_at as case_resolved_at,
        case
            -- an answered call without a case was handled on the call
            when complaints.channel = 'phone' then complaints.first_response_at
            -- resolved by the organisation's last reply when the customer did not write again after it
            when conversations.last_response_at > coalesce(conversations.last_customer_at, complaints.received_at)
                then conversations.last_response_at
        end as conversation_resolved_at,
        cases.closed_at,
        cases.reopened_at,
        coalesce(case when cases.case_id is not null then cases.reopen_count else conversations.reopen_count end, 0)
            as reopen_count,
        targets.clock as sla_clock,
        targets.calendar as sla_calendar,
        targets.resolution_target_minutes

    from complaints
    left join cases
        on
            complaints.complaint_id = cases.contact_id
            and cases.case_rank = 1
    left join conversations
        on complaints.complaint_id = conversations.complaint_id
    left join targets
        on complaints.complaint_id = targets.contact_id

),

resolved as (

    select
        *,
        case when lifecycle_source = 'case' then case_first_resolved_at else conversation_resolved_at end
            as first_resolved_at,
        case when lifecycle_source = 'case' then case_resolved_at else conversation_resolved_at end as resolved_at

    from stages

),

paused as (

    -- the minutes, on the channel's clock, the case waited on the customer before its resolution
    select
        resolved.complaint_id,
        sum(
            {{ elapsed_minutes(
                'pauses.paused_at', 'least(coalesce(pauses.resumed_at, resolved.resolved_at), resolved.resolved_at)',
                'resolved.sla_clock', 'resolved.sla_calendar'
            ) }}
        ) as paused_minutes

    from resolved
    inner join pauses
        on
            resolved.case_id = pauses.case_id
            and pauses.paused_at < resolved.resolved_at
    group by resolved.complaint_id

),

measured as (

    select
        resolved.*,
        coalesce(paused.paused_minutes, 0) as resolution_paused_minutes,
        {{ elapsed_minutes('resolved.received_at', 'resolved.resolved_at', 'resolved.sla_clock', 'resolved.sla_calendar') }}
        - coalesce(paused.paused_minutes, 0) as resolution_net_minutes

    from resolved
    left join paused
        on resolved.complaint_id = paused.complaint_id

),

final as (

    select
        complaint_id,
        channel,
        month_start_date,
        lifecycle_source,
        case_id,
        case_category,
        root_cause,
        received_at,
        acknowledged_at,
        assigned_at,
        first_resolved_at,
        resolved_at,
        closed_at,
        reopened_at,
        reopen_count,
        reopen_count > 0 as is_reopened,
        case
            when closed_at is not null and resolved_at is not null then 'closed'
            when resolved_at is not null then 'resolved'
            when assigned_at is not null then 'assigned'
            when acknowledged_at is not null then 'acknowledged'
            else 'received'
        end as current_stage,
        round(extract(epoch from acknowledged_at - received_at) / 60, 2) as minutes_to_acknowledge,
        round(extract(epoch from resolved_at - received_at) / 60, 2) as minutes_to_resolve,
        sla_clock as resolution_clock,
        resolution_target_minutes,
        case when resolved_at is not null then round(resolution_paused_minutes, 2) end as resolution_paused_minutes,
        round(resolution_net_minutes, 2) as resolution_sla_minutes,
        case
            when resolution_target_minutes is not null and resolved_at is not null
                then resolution_net_minutes <= resolution_target_minutes
        end as is_resolved_within_target,
        resolved_at is not null and reopen_count = 0 as is_resolved_first_time

    from measured

)

select * from final
