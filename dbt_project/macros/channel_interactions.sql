{#
    The channels' interaction models (models/intermediate/channels/): one per channel that has interactions, each
    giving the channel's interactions and which of them open a contact, in one shape. This is the one list of them:
    int_interactions and int_contacts are their union. (Cases are events of contacts, not interactions.)
#}
{% macro channel_interaction_models() %}
    {{ return([
        'int_phone__interactions',
        'int_email__interactions',
        'int_chat__interactions',
        'int_twitter__interactions',
        'int_facebook__interactions',
        'int_web__interactions',
        'int_surveys__interactions',
    ]) }}
{% endmacro %}

{% macro union_channel_interactions() %}
    {%- for model in channel_interaction_models() %}
    select * from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{% endmacro %}

{#
    The contact columns of a channel's interaction model, for the interaction that opens a contact (`opens_contact`)
    and null for the others: the contact is named by the interaction's record and its author.
#}
{% macro opened_contact(entity, disposition_code='cast(null as text)') %}
        case when opens_contact then record_id end as contact_key,
        case when opens_contact then '{{ entity }}' end as contact_entity,
        case when opens_contact then author_key end as contact_customer_key,
        case when opens_contact then {{ disposition_code }} end as contact_disposition_code
{%- endmacro %}
