{#
    Minutes of a business calendar between two instants: the working hours of `calendar` (seed business_calendars:
    ISO weekday, opening and closing time in the organisation's time zone, var `timezone`) that fall between `start`
    and `end`, less the public holidays the calendar keeps (seed public_holidays: national ones, and those of the
    calendar's subdivision). Each day's opening and closing are local times turned into instants in the time zone,
    so a day of a DST change has the hours the clock shows. Null when either instant is null; 0 when `end` is not
    after `start` or falls before the calendar opens again. Pass qualified columns (`contacts.calendar`): inside the
    subquery a bare `calendar` would name the seed's own column.
#}
{% macro business_minutes(start, end, calendar) %}
    (
        select coalesce(sum(
            greatest(0, extract(epoch from least({{ end }}, hours.closes) - greatest({{ start }}, hours.opens)) / 60.0)
        ), 0)
        from generate_series(
            ({{ start }} at time zone '{{ var("timezone") }}')::date,
            ({{ end }} at time zone '{{ var("timezone") }}')::date,
            interval '1 day'
        ) as days (day)
        inner join {{ ref('business_calendars') }} as calendars
            on
                calendars.calendar = {{ calendar }}
                and calendars.iso_weekday = extract(isodow from days.day)
        cross join lateral (
            select
                (days.day::date + calendars.opens_at::time) at time zone '{{ var("timezone") }}' as opens,
                (days.day::date + calendars.closes_at::time) at time zone '{{ var("timezone") }}' as closes
        ) as hours
        where
            {{ end }} > {{ start }}
            and not exists (
                select from {{ ref('public_holidays') }} as holidays
                where
                    holidays.holiday_date = days.day::date
                    and (holidays.subdivision is null or holidays.subdivision = calendars.subdivision)
            )
    )
{% endmacro %}

{# Minutes between two instants on the given clock: 'calendar' (wall-clock) or 'business' (the calendar's hours). #}
{% macro elapsed_minutes(start, end, clock, calendar) %}
    case
        when {{ start }} is null or {{ end }} is null then null
        when {{ clock }} = 'business' then {{ business_minutes(start, end, calendar) }}
        else greatest(0, extract(epoch from {{ end }} - {{ start }}) / 60.0)
    end
{% endmacro %}
