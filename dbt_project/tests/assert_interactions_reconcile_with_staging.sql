-- Nothing is lost or duplicated between staging and fct_interactions: per channel and entity, the mart holds
-- exactly one row per staged record (calls, messages, tweets, posts, comments, mentions, responses).
with

staged as (

    select 'phone' as channel, 'calls' as entity, count(*) as staged_rows from {{ ref('stg_phone__calls') }}
    union all
    select 'email', 'messages', count(*) from {{ ref('stg_email__messages') }}
    union all
    select 'chat', 'messages', count(*) from {{ ref('stg_chat__messages') }}
    union all
    select 'twitter', 'tweets', count(*) from {{ ref('stg_twitter__tweets') }}
    union all
    select 'facebook', 'posts', count(*) from {{ ref('stg_facebook__posts') }}
    union all
    select 'facebook', 'comments', count(*) from {{ ref('stg_facebook__comments') }}
    union all
    select 'web', 'mentions', count(*) from {{ ref('stg_web__mentions') }}
    union all
    select 'surveys', 'responses', count(*) from {{ ref('stg_surveys__responses') }}

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
