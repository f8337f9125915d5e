-- In every channel's interaction model, an interaction opens a contact with all of it (key, entity) or none of it.
{% for model in channel_interaction_models() %}
select '{{ model }}' as model, entity, record_id
from {{ ref(model) }}
where (contact_key is null) <> (contact_entity is null)
{% if not loop.last %}union all{% endif %}
{% endfor %}
