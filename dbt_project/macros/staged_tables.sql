{#
    Staging models stored as tables, incremental by record (one raw record, one row): those whose views every reader
    would otherwise recompute at length (each e-mail's headers folded, each call's and case event's timestamps
    parsed, again for the channel's interactions, the case lifecycles, the data issues, the freshness check and the
    model's own tests). A build stages the records landed or corrected since the last one (their raw `loaded_at`
    differs from the stored row's) and nothing else; the post-hook removes the rows whose record left raw (erasure,
    retention); a changed setting or a new version of the model forgets every row first (`inputs_fingerprint`), so
    all are staged again.

    In the model: `{{ staged_table_config('call_id', 'phone_calls') }}`, read the raw table as
    `{{ source('raw', 'phone_calls') }} as raw {{ records_changed_since_stored('call_id') }}`, and select
    `loaded_at` and `{{ inputs_fingerprint([model.name]) }} as inputs_fingerprint`.
#}
{% macro staged_table_config(key, raw_table) -%}
    {{ incremental_table_config(
        key,
        fingerprint='inputs_fingerprint([model.name])',
        post_hooks=[
            "{{ forget_records_that_left_raw('" ~ key ~ "', '" ~ raw_table ~ "') }}",
            "{{ ensure_index(['" ~ key ~ "'], unique=true) }}",
        ],
        bookkeeping=['loaded_at', 'inputs_fingerprint'],
    ) }}
{%- endmacro %}

{% macro records_changed_since_stored(key) -%}
    {%- if is_incremental() %}
    where not exists (
        select from {{ this }} as stored
        where stored.{{ key }} = raw.record_key and stored.loaded_at = raw.loaded_at
    )
    {%- endif %}
{%- endmacro %}

{% macro forget_records_that_left_raw(key, raw_table) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stored
    where not exists (
        select from {{ source('raw', raw_table) }} as raw where raw.record_key = stored.{{ key }}
    )
    {%- endif -%}
{%- endmacro %}
