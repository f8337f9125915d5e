{#
    Reading source values safely: the staging contract of every typed field.

    A source value that cannot be read as its type is never allowed to fail the build or to be read as something
    else: the typed column is null and the row's `data_issues` names the field and the problem (never the value,
    which may be personal data). `int_data_issues` collects them; `marts.data_issues` and the report show them.

    text_value: a source string trimmed, empty as null.
    cast_or_null / cast_issue: the value as `type` when PostgreSQL can read it as one (pg_input_is_valid), else null;
        and the issue when it cannot.
    cast_in_range_or_null / range_issue: the same for a number the source defines a range for (a score): null, and
        the issue, outside it.
    parse_timestamp / timestamp_issue: a source timestamp (ISO 8601, or RFC 5322 / RFC 822 as in email `Date` and
        RSS `pubDate`) to timestamptz. The day name (`Mon, `) and a trailing comment (`(UTC)`) are removed first.
        A timestamp must carry its UTC offset (`Z`, `+02:00`, `+0200`, `GMT`...): one without it is ambiguous by up to
        the organisation's offset, so it is null and flagged, unless the var `offsetless_timestamps` is
        `organisation_time_zone`, in which case it is read in the organisation's time zone (var `timezone`) and
        still flagged.
    data_issues: a row's issues as a JSON array of strings (jsonb: dbt's unit-test fixtures cannot type a text[]).
#}

{% macro text_value(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}

{% macro cast_or_null(expression, type) -%}
    (case when pg_input_is_valid({{ text_value(expression) }}, '{{ type }}') then {{ text_value(expression) }}::{{ type }} end)
{%- endmacro %}

{% macro cast_issue(expression, type, field) -%}
    case
        when {{ text_value(expression) }} is not null and not pg_input_is_valid({{ text_value(expression) }}, '{{ type }}')
            then '{{ field }}: not a valid {{ type }}'
    end
{%- endmacro %}

{% macro cast_in_range_or_null(expression, type, minimum, maximum) -%}
    (case when {{ cast_or_null(expression, type) }} between {{ minimum }} and {{ maximum }} then {{ cast_or_null(expression, type) }} end)
{%- endmacro %}

{% macro range_issue(expression, type, field, minimum, maximum) -%}
    case
        when {{ cast_or_null(expression, type) }} not between {{ minimum }} and {{ maximum }}
            then '{{ field }}: outside {{ minimum }} to {{ maximum }}'
    end
{%- endmacro %}

{% macro timestamp_text(expression) -%}
    nullif(
        trim(
            regexp_replace(
                regexp_replace({{ expression }}, '\s*\([^)]*\)\s*$', ''),
                '^\s*[A-Za-z]{3},\s*',
                ''
            )
        ),
        ''
    )
{%- endmacro %}

{% macro _has_offset(text) -%}
    ({{ text }} ~* '\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(z|[+-]\d{2}(:?\d{2})?|[a-z]{1,5})$')
{%- endmacro %}

{% macro _offsetless_in_organisation_time_zone() -%}
    {%- set choice = var('offsetless_timestamps', 'reject') -%}
    {%- if choice not in ('reject', 'organisation_time_zone') -%}
        {{ exceptions.raise_compiler_error("var offsetless_timestamps (VOC_OFFSETLESS_TIMESTAMPS) must be 'reject' or 'organisation_time_zone', not '" ~ choice ~ "'") }}
    {%- endif -%}
    {{ return(choice == 'organisation_time_zone') }}
{%- endmacro %}

{#
    The common case first: an ISO 8601 timestamp with its offset and nothing around it, which the general path
    (two regular-expression replacements and a trim, repeated in each of its branches) would leave unchanged and
    find an offset in. Both paths give the same results; the first costs one match.
#}
{% macro _plain_iso_with_offset(expression) -%}
    ({{ expression }} ~ '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$')
{%- endmacro %}

{% macro parse_timestamp(expression) -%}
    {%- set text = timestamp_text(expression) -%}
    (case
        when {{ _plain_iso_with_offset(expression) }}
            then (case when pg_input_is_valid({{ expression }}, 'timestamptz') then ({{ expression }})::timestamptz end)
        when not pg_input_is_valid({{ text }}, 'timestamptz') then null
        when {{ _has_offset(text) }} then {{ text }}::timestamptz
        {%- if _offsetless_in_organisation_time_zone() %}
        when pg_input_is_valid({{ text }}, 'timestamp') then {{ text }}::timestamp at time zone '{{ var("timezone") }}'
        {%- endif %}
    end)
{%- endmacro %}

{% macro timestamp_issue(expression, field) -%}
    {%- set text = timestamp_text(expression) -%}
    case
        when {{ _plain_iso_with_offset(expression) }}
            then (case when not pg_input_is_valid({{ expression }}, 'timestamptz') then '{{ field }}: not a valid timestamp' end)
        when {{ text }} is null then null
        when not pg_input_is_valid({{ text }}, 'timestamptz') then '{{ field }}: not a valid timestamp'
        when not {{ _has_offset(text) }} then
        {%- if _offsetless_in_organisation_time_zone() %}
            '{{ field }}: no UTC offset, read in {{ var("timezone") }}'
        {%- else %}
            '{{ field }}: no UTC offset, not read'
        {%- endif %}
    end
{%- endmacro %}

{% macro data_issues(issues) -%}
    to_jsonb(array_remove(array[
        {%- for issue in issues %}
        {{ issue }}{{ "," if not loop.last }}
        {%- endfor %}
    ]::text[], null))
{%- endmacro %}
