{#
    How far each channel's data reaches and which loads the marts include: what publication checks before a
    month's report (voc.reporting.freshness) and what the report states as the data's cut-off and last load.
    `last_loaded_at` covers every raw table of the channel (a twitter page's users too). `built_at` is when the
    dbt run that built this table started.
#}


with

records as (

    -- the records that are interactions, from int_interactions (a table: the same rows as their staging models,
    -- whose event times would otherwise be parsed again), then the staging models of the others
    select
        channel,
        max(occurred_at) as latest_record_at,
        max(source_loaded_at) as last_loaded_at

    from {{ ref('int_interactions') }}
    group by channel

    {% for channel, model, key, event_time, entity in staged_sources() if not entity %}
    union all

    select
        '{{ channel }}' as channel,
        max({{ event_time or 'null::timestamptz' }}) as latest_record_at,
        max(loaded_at) as last_loaded_at

    from {{ ref(model) }}
    {% endfor %}

)

select
    channel,
    max(latest_record_at) as latest_record_at,
    max(last_loaded_at) as last_loaded_at,
    '{{ run_started_at }}'::timestamptz as built_at

from records
group by channel
