with

interactions as (

    select * from {{ ref('int_interactions') }}

),

case_events as (

    select * from {{ ref('stg_cases__events') }}

),

extremes as (

    -- a local date never decreases as time goes on: the first and last instants give the first and last dates
    select
        min(occurred_at) as first_at,
        max(occurred_at) as last_at

    from interactions

    union all

    select
        min(event_at) as first_at,
        max(event_at) as last_at

    from case_events

),

bounds as (

    -- whole months, from the first month with data to the last
    select
        date_trunc('month', {{ local_date('min(first_at)') }})::date as first_date,
        (date_trunc('month', {{ local_date('max(last_at)') }}) + interval '1 month' - interval '1 day')::date as last_date

    from extremes

),

date_spine as (

    select generated.date_day::date as date_day
    from bounds
    cross join lateral generate_series(
        bounds.first_date::timestamp,
        bounds.last_date::timestamp,
        interval '1 day'
    ) as generated (date_day)

),

final as (

    select
        date_day,
        extract(isodow from date_day)::integer as day_of_week_number,
        trim(to_char(date_day, 'Day')) as day_name,
        extract(isodow from date_day) in (6, 7) as is_weekend,
        date_trunc('week', date_day)::date as week_start_date,
        extract(isoyear from date_day)::integer as iso_year_number,
        extract(week from date_day)::integer as iso_week_number,
        date_trunc('month', date_day)::date as month_start_date,
        (date_trunc('month', date_day) + interval '1 month' - interval '1 day')::date as month_end_date,
        to_char(date_day, 'YYYY-MM') as month_label,
        extract(month from date_day)::integer as month_number,
        date_trunc('quarter', date_day)::date as quarter_start_date,
        extract(quarter from date_day)::integer as quarter_number,
        extract(year from date_day)::integer as year_number

    from date_spine

)

select * from final
