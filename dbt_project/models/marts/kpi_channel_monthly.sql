with

contacts as (

    select * from {{ ref('fct_contacts') }}

),

survey_responses as (

    select * from {{ ref('fct_survey_responses') }}

),

channels as (

    select * from {{ ref('dim_channel') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

lifecycles as (

    select * from {{ ref('fct_complaint_lifecycle') }}

),

backlog as (

    select * from {{ ref('fct_complaint_backlog_daily') }}

),

resolution_metrics as (

    -- the month's complaints (by receipt) and what became of them by the data's end
    select
        lifecycles.channel,
        lifecycles.month_start_date,
        count(*) filter (where lifecycles.resolved_at is not null) as complaints_resolved,
        count(*) filter (where lifecycles.is_resolved_within_target) as complaints_resolved_within_target,
        count(*) filter (where lifecycles.is_reopened) as complaints_reopened,
        percentile_cont(0.5) within group (order by lifecycles.minutes_to_resolve::float) as median_minutes_to_resolve

    from lifecycles
    group by
        lifecycles.channel,
        lifecycles.month_start_date

),

month_end_backlog as (

    -- open complaints at the end of the month's last day with a snapshot
    select
        backlog.channel,
        backlog.month_start_date,
        sum(backlog.open_complaints) as backlog_at_month_end

    from backlog
    where backlog.snapshot_date = (
        select max(last_day.snapshot_date) from backlog as last_day
        where last_day.month_start_date = backlog.month_start_date
    )
    group by
        backlog.channel,
        backlog.month_start_date

),

data_months as (

    select contacts.month_start_date from contacts
    union
    select survey_responses.submitted_month_start_date from survey_responses

),

months as (

    -- every month from the first with data to the latest, empty months included
    select distinct dates.month_start_date

    from dates
    where
        dates.month_start_date >= (select min(data_months.month_start_date) from data_months)
        and dates.month_start_date <= (select max(data_months.month_start_date) from data_months)

),

channel_months as (

    select
        channels.channel,
        months.month_start_date

    from channels
    cross join months
    where channels.is_contact_channel

),

contact_metrics as (

    select
        contacts.channel,
        contacts.month_start_date,
        count(*) as contacts,
        count(case when contacts.is_complaint then 1 end) as complaints,
        count(case when contacts.is_complaint and contacts.is_responded then 1 end) as complaints_responded,
        count(
            case when contacts.is_complaint and contacts.is_responded_within_24h then 1 end
        ) as complaints_responded_within_24h,
        count(
            case when contacts.is_complaint and contacts.is_responded_within_sla then 1 end
        ) as complaints_responded_within_sla,
        -- percentile_cont ignores nulls: the median is taken over responded complaints only
        percentile_cont(0.5) within group (
            order by case when contacts.is_complaint then contacts.first_response_minutes::float end
        ) as median_first_response_minutes

    from contacts
    group by
        contacts.channel,
        contacts.month_start_date

),

survey_metrics as (

    -- surveys count for the channel of the contact they rate, in the month they were submitted
    select
        survey_responses.rated_channel as channel,
        survey_responses.submitted_month_start_date as month_start_date,
        count(*) as survey_responses,
        count(survey_responses.csat_score) as csat_answers,
        count(case when survey_responses.is_satisfied then 1 end) as satisfied_answers,
        count(survey_responses.nps_score) as nps_answers,
        count(case when survey_responses.nps_category = 'promoter' then 1 end) as promoters,
        count(case when survey_responses.nps_category = 'detractor' then 1 end) as detractors

    from survey_responses
    group by
        survey_responses.rated_channel,
        survey_responses.submitted_month_start_date

),

final as (

    select
        channel_months.channel,
        channel_months.month_start_date,
        coalesce(contact_metrics.contacts, 0) as contacts,
        coalesce(contact_metrics.complaints, 0) as complaints,
        coalesce(contact_metrics.complaints_responded, 0) as complaints_responded,
        coalesce(contact_metrics.complaints_responded_within_24h, 0) as complaints_responded_within_24h,
        coalesce(contact_metrics.complaints_responded_within_sla, 0) as complaints_responded_within_sla,
        contact_metrics.complaints_responded::numeric
        / nullif(contact_metrics.complaints, 0) as response_rate,
        1 - contact_metrics.complaints_responded::numeric
        / nullif(contact_metrics.complaints, 0) as ignored_rate,
        contact_metrics.complaints_responded_within_24h::numeric
        / nullif(contact_metrics.complaints, 0) as responded_within_24h_rate,
        case
            when channels.first_response_target_minutes is not null
                then contact_metrics.complaints_responded_within_sla::numeric
                / nullif(contact_metrics.complaints, 0)
        end as responded_within_sla_rate,
        round(contact_metrics.median_first_response_minutes::numeric, 2) as median_first_response_minutes,
        coalesce(resolution_metrics.complaints_resolved, 0) as complaints_resolved,
        coalesce(resolution_metrics.complaints_resolved_within_target, 0) as complaints_resolved_within_target,
        case
            when channels.resolution_target_minutes is not null
                then resolution_metrics.complaints_resolved_within_target::numeric
                / nullif(contact_metrics.complaints, 0)
        end as resolved_within_target_rate,
        coalesce(resolution_metrics.complaints_reopened, 0) as complaints_reopened,
        round(resolution_metrics.median_minutes_to_resolve::numeric, 2) as median_minutes_to_resolve,
        coalesce(month_end_backlog.backlog_at_month_end, 0) as backlog_at_month_end,
        coalesce(survey_metrics.survey_responses, 0) as survey_responses,
        survey_metrics.satisfied_answers::numeric / nullif(survey_metrics.csat_answers, 0) as csat,
        100.0 * (survey_metrics.promoters - survey_metrics.detractors)
        / nullif(survey_metrics.nps_answers, 0) as nps

    from channel_months
    inner join channels
        on channel_months.channel = channels.channel
    left join contact_metrics
        on
            channel_months.channel = contact_metrics.channel
            and channel_months.month_start_date = contact_metrics.month_start_date
    left join survey_metrics
        on
            channel_months.channel = survey_metrics.channel
            and channel_months.month_start_date = survey_metrics.month_start_date
    left join resolution_metrics
        on
            channel_months.channel = resolution_metrics.channel
            and channel_months.month_start_date = resolution_metrics.month_start_date
    left join month_end_backlog
        on
            channel_months.channel = month_end_backlog.channel
            and channel_months.month_start_date = month_end_backlog.month_start_date

)

select * from final
