{#
    The staging models that read each channel's raw records: (channel, model, the row's key, its event time).
    One list for the models that look across channels (int_data_issues, source_freshness).
#}
{% macro staged_sources() %}
    {{ return([
        ('phone', 'stg_phone__calls', 'call_id', 'started_at'),
        ('email', 'stg_email__messages', 'message_id', 'sent_at'),
        ('chat', 'stg_chat__sessions', 'session_id', 'started_at'),
        ('chat', 'stg_chat__messages', 'message_id', 'sent_at'),
        ('twitter', 'stg_twitter__tweets', 'tweet_id', 'created_at'),
        ('twitter', 'stg_twitter__users', 'user_id', none),
        ('facebook', 'stg_facebook__posts', 'post_id', 'created_at'),
        ('facebook', 'stg_facebook__comments', 'comment_id', 'created_at'),
        ('web', 'stg_web__mentions', 'mention_id', 'published_at'),
        ('surveys', 'stg_surveys__responses', 'response_id', 'submitted_at'),
        ('cases', 'stg_cases__events', 'event_id', 'event_at'),
    ]) }}
{% endmacro %}
