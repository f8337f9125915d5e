{#
    The contact models (int_contact_first_responses, int_contacts_classified, int_contact_sla, fct_contacts) are
    incremental by contact. A build rewrites the contacts whose conversation int_interactions rewrote since the model
    stored them (the contact's `built_at` differs from the stored `contact_built_at`: a new contact, a late reply, a
    corrected record) and, where a reviewer's decision shows, the contacts whose latest decision changed. Their
    pre-hook forgets the rows built with other settings, seeds, classifier or SQL (int_contact_build_inputs), so
    those are rewritten too; their post-hook removes the contacts that left int_contacts (erasure, retention).
#}
{% macro incremental_contact_config() -%}
    {{ config(
        materialized='incremental',
        unique_key='contact_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=["{{ forget_rows_built_with_other_inputs('(select inputs_fingerprint from ' ~ ref('int_contact_build_inputs') ~ ')') }}"],
        post_hook=["{{ forget_contacts_that_left() }}"],
    ) }}
    {{- require_incremental_columns(['contact_built_at', 'inputs_fingerprint']) }}
{%- endmacro %}

{#  The contacts of `contacts` that are new or whose conversation was rewritten since this model stored them, or
    for which `also` (a condition on `contacts` and the stored row, `stored`) holds. #}
{% macro contacts_changed_since_stored(contacts, built_at='built_at', also=none) -%}
    select {{ contacts }}.contact_id

    from {{ contacts }}
    left join {{ this }} as stored
        on {{ contacts }}.contact_id = stored.contact_id
    where
        {{ contacts }}.{{ built_at }} is distinct from stored.contact_built_at
        {%- if also %}
        or {{ also }}
        {%- endif %}
{%- endmacro %}

{% macro forget_contacts_that_left() -%}
    {%- set contacts = ref('int_contacts') -%}  {#- outside the condition, so that dbt sees the dependency -#}
    {%- if is_incremental() -%}
    delete from {{ this }} as stored
    where not exists (
        select from {{ contacts }} as contacts
        where contacts.contact_id = stored.contact_id
    )
    {%- endif -%}
{%- endmacro %}
