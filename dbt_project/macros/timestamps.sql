{#
    Periods (reading source timestamps is in values.sql: parse_timestamp).

    local_date / local_month_start: the date and the first day of the month of a timestamptz in the
    organisation's time zone (var `timezone`).
#}
{% macro local_date(expression) -%}
    ({{ expression }} at time zone '{{ var("timezone") }}')::date
{%- endmacro %}

{% macro local_month_start(expression) -%}
    date_trunc('month', {{ expression }} at time zone '{{ var("timezone") }}')::date
{%- endmacro %}
