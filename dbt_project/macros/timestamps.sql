{#
    Timestamps and periods.

    parse_timestamp: a source timestamp string (ISO 8601 with offset, or RFC 5322 / RFC 822 as in email `Date`
    and RSS `pubDate`) to timestamptz. PostgreSQL reads both forms; the day name (`Mon, `) and a trailing
    comment (`(UTC)`) are removed first because the comment is not accepted and the day name may disagree with
    the date. An empty string is null.

    local_date / local_month_start: the date and the first day of the month of a timestamptz in the
    organisation's time zone (var `timezone`).
#}
{% macro parse_timestamp(expression) -%}
    nullif(
        trim(
            regexp_replace(
                regexp_replace({{ expression }}, '\s*\([^)]*\)\s*$', ''),
                '^\s*[A-Za-z]{3},\s*',
                ''
            )
        ),
        ''
    )::timestamptz
{%- endmacro %}

{% macro local_date(expression) -%}
    ({{ expression }} at time zone '{{ var("timezone") }}')::date
{%- endmacro %}

{% macro local_month_start(expression) -%}
    date_trunc('month', {{ expression }} at time zone '{{ var("timezone") }}')::date
{%- endmacro %}
