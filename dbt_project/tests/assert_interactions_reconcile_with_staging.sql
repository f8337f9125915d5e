-- Nothing is lost or duplicated between staging and fct_interactions: per channel and entity, the mart holds
-- exactly one row per staged record (calls, messages, tweets, posts, comments, mentions, responses).
with

staged as (

    {% for channel, model, _key, _event_time, entity in staged_sources() if entity %}
    select '{{ channel }}' as channel, '{{ entity }}' as entity, count(*) as staged_rows from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

published as (

    select channel, entity, count(*) as published_rows
    from {{ ref('fct_interactions') }}
    group by channel, entity

),

compared as (

    select
        staged.channel,
        staged.entity,
        staged.staged_rows,
        coalesce(published.published_rows, 0) as published_rows

    from staged
    left join published
        on
            staged.channel = published.channel
            and staged.entity = published.entity

)

select * from compared
where staged_rows <> published_rows
