-- One row per corrective action of the register with its progress (open, overdue, closed on time) and the evidence
-- of its effect: the complaints of its root cause from its closing to its effectiveness check, against as many days
-- before it was opened (docs: def_corrective_action_effectiveness).
with

actions as (

    select * from {{ ref('stg_actions__corrective_actions') }}

),

cases as (

    select * from {{ ref('int_case_lifecycles') }}
    where root_cause is not null

),

contacts as (

    select * from {{ ref('fct_contacts') }}

),

coverage as (

    select * from {{ ref('int_data_coverage') }}

),

cause_complaints as (

    -- a case's recorded root cause marks a confirmed complaint of that cause, dated by its contact's receipt
    select
        cases.case_id,
        cases.root_cause,
        coalesce(contacts.received_date, {{ local_date('cases.opened_at') }}) as received_date

    from cases
    left join contacts
        on cases.contact_id = contacts.contact_id

),

windows as (

    select
        actions.*,
        coverage.last_day as as_of_date,
        case
            when actions.effectiveness_check_on > actions.closed_on
                then actions.effectiveness_check_on - actions.closed_on
        end as window_days,
        coverage.first_day as data_first_day

    from actions
    cross join coverage

),

counted as (

    select
        windows.*,
        windows.opened_on - windows.window_days as before_window_start,
        (
            select count(*)
            from cause_complaints
            where
                cause_complaints.root_cause = windows.root_cause
                and cause_complaints.received_date >= windows.opened_on - windows.window_days
                and cause_complaints.received_date < windows.opened_on
        ) as complaints_before,
        (
            select count(*)
            from cause_complaints
            where
                cause_complaints.root_cause = windows.root_cause
                and cause_complaints.received_date >= windows.closed_on
                and cause_complaints.received_date < windows.effectiveness_check_on
        ) as complaints_after

    from windows

),

final as (

    select
        action_id,
        root_cause,
        description,
        owner_role,
        opened_on,
        due_on,
        closed_on,
        effectiveness_check_on,
        as_of_date,
        case
            when closed_on is not null then 'closed'
            when due_on < as_of_date then 'overdue'
            else 'open'
        end as action_status,
        case when closed_on is not null and due_on is not null then closed_on <= due_on end as is_closed_on_time,
        closed_on - opened_on as days_to_close,
        window_days,
        before_window_start,
        opened_on as before_window_end,
        closed_on as after_window_start,
        effectiveness_check_on as after_window_end,
        {{ var('corrective_action_min_reduction') }}::numeric as required_reduction,
        case when window_days is not null then complaints_before end as complaints_before,
        case when window_days is not null and effectiveness_check_on <= as_of_date then complaints_after end
            as complaints_after,
        case
            when closed_on is null then 'action open'
            when window_days is null then 'no check window'
            when effectiveness_check_on > as_of_date then 'awaiting check'
            when before_window_start < data_first_day then 'insufficient history'
            when complaints_before = 0 then 'no baseline'
            when complaints_after <= complaints_before * (1 - {{ var('corrective_action_min_reduction') }}::numeric)
                then 'effective'
            else 'not effective'
        end as effectiveness,
        case
            when
                closed_on is not null and window_days is not null and effectiveness_check_on <= as_of_date
                and before_window_start >= data_first_day
                then complaints_after < complaints_before
        end as is_recurrence_reduced

    from counted

)

select * from final
