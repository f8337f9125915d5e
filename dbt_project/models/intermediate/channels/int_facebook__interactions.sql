-- facebook: the page's posts and every comment; a comment thread is named by its top-level comment (a reply belongs
-- to the thread of its parent), and a thread started by someone other than the page is a contact
with

facebook_posts as (

    select * from {{ ref('stg_facebook__posts') }}

),

facebook_comments as (

    select * from {{ ref('stg_facebook__comments') }}

),

interactions as (

    select
        'facebook' as channel,
        'posts' as entity,
        facebook_posts.post_id as record_id,
        facebook_posts.source_record_key,
        facebook_posts.post_id as conversation_id,
        case when facebook_posts.is_outbound then 'outbound' else 'inbound' end as direction,
        facebook_posts.created_at as occurred_at,
        {{ pseudonym('facebook', 'facebook_posts.from_id') }} as author_key,
        facebook_posts.post_text as interaction_text,
        cast(null as text) as disposition_code,
        cast(null as text) as language,
        facebook_posts.loaded_at as source_loaded_at,
        false as opens_contact

    from facebook_posts

    union all

    select
        'facebook' as channel,
        'comments' as entity,
        facebook_comments.comment_id as record_id,
        facebook_comments.source_record_key,
        coalesce(facebook_comments.parent_comment_id, facebook_comments.comment_id) as conversation_id,
        case when facebook_comments.is_outbound then 'outbound' else 'inbound' end as direction,
        facebook_comments.created_at as occurred_at,
        {{ pseudonym('facebook', 'facebook_comments.from_id') }} as author_key,
        facebook_comments.comment_text as interaction_text,
        cast(null as text) as disposition_code,
        cast(null as text) as language,
        facebook_comments.loaded_at as source_loaded_at,
        facebook_comments.is_top_level and not facebook_comments.is_outbound as opens_contact

    from facebook_comments

),

final as (

    select
        *,
        {{ opened_contact('comments') }}

    from interactions

)

select * from final
