{#
    None of the listed columns is null: one row per column that has nulls, with how many. One scan of the model for
    all its required columns, where a `not_null` test per column would read it once per column (the big tables are
    read by every build).
#}
{% test not_null_columns(model, columns) %}

with

null_counts as (

    select
        {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from {{ model }}

)

select checked.column_name, checked.null_rows

from null_counts
cross join lateral (
    values
    {%- for column in columns %}
        ('{{ column }}', null_counts.{{ adapter.quote(column) }})
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
) as checked (column_name, null_rows)
where checked.null_rows > 0

{% endtest %}
