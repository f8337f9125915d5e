-- Open complaints at the end of each day (the organisation's time zone), by channel, category, age band and
-- lifecycle source: the backlog ISO 10002 8.4 asks to be tracked. Incremental: a day already built is not
-- recomputed (the latest built day is, as its data may have been incomplete). (docs: def_complaint_backlog)
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='snapshot_date',
    on_schema_change='fail',
) }}

with

lifecycles as (

    -- complaints someone handles: those with a helpdesk case and those on channels that expect a response (a blog
    -- post or a survey comment is never answered, so it would stay open forever)
    select lifecycles.*
    from {{ ref('fct_complaint_lifecycle') }} as lifecycles
    inner join {{ ref('dim_channel') }} as channels
        on lifecycles.channel = channels.channel
    where lifecycles.lifecycle_source = 'case' or channels.is_response_expected

),

data_days as (

    -- the days the data covers: from its first day to the latest record of any channel
    select * from {{ ref('int_data_coverage') }}

),

days as (

    select
        day::date as snapshot_date,
        (day::date + 1)::timestamp at time zone '{{ var("timezone") }}' as day_end

    from data_days
    cross join lateral generate_series(data_days.first_day, data_days.last_day, interval '1 day') as days (day)
    {% if is_incremental() %}
        where day::date >= (select max(snapshot_date) from {{ this }})
    {% endif %}

),

open_at_day_end as (

    select
        days.snapshot_date,
        lifecycles.channel,
        coalesce(lifecycles.case_category, 'uncategorised') as category,
        lifecycles.lifecycle_source,
        extract(epoch from days.day_end - lifecycles.received_at) / 86400 as age_days

    from days
    inner join lifecycles
        on lifecycles.received_at < days.day_end
    where not (
        -- resolved by then: finally, or first and not yet reopened
        coalesce(lifecycles.resolved_at < days.day_end, false)
        or (
            coalesce(lifecycles.first_resolved_at < days.day_end, false)
            and (lifecycles.reopened_at is null or lifecycles.reopened_at >= days.day_end)
        )
    )

),

final as (

    select
        snapshot_date,
        date_trunc('month', snapshot_date)::date as month_start_date,
        channel,
        category,
        case
            when age_days < 1 then '0-1'
            when age_days < 3 then '1-3'
            when age_days < 7 then '3-7'
            when age_days < 30 then '7-30'
            else '>30'
        end as age_band,
        lifecycle_source,
        count(*) as open_complaints

    from open_at_day_end
    group by 1, 2, 3, 4, 5, 6

)

select * from final
