{#
    The staging models that read each channel's raw records: (channel, model, the row's key, its event time, the
    entity its rows are in int_interactions, or none). One list for the models and tests that look across channels
    (int_data_issues, source_freshness, the staging-to-mart reconciliation).
#}
{% macro staged_sources() %}
    {{ return([
        ('phone', 'stg_phone__calls', 'call_id', 'started_at', 'calls'),
        ('email', 'stg_email__messages', 'message_id', 'sent_at', 'messages'),
        ('chat', 'stg_chat__sessions', 'session_id', 'started_at', none),
        ('chat', 'stg_chat__messages', 'message_id', 'sent_at', 'messages'),
        ('twitter', 'stg_twitter__tweets', 'tweet_id', 'created_at', 'tweets'),
        ('twitter', 'stg_twitter__users', 'user_id', none, none),
        ('facebook', 'stg_facebook__posts', 'post_id', 'created_at', 'posts'),
        ('facebook', 'stg_facebook__comments', 'comment_id', 'created_at', 'comments'),
        ('web', 'stg_web__mentions', 'mention_id', 'published_at', 'mentions'),
        ('surveys', 'stg_surveys__responses', 'response_id', 'submitted_at', 'responses'),
        ('cases', 'stg_cases__events', 'event_id', 'event_at', none),
        ('actions', 'stg_actions__corrective_actions', 'action_id', none, none),
    ]) }}
{% endmacro %}
