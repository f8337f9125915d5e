{#
    The contact models (int_contact_first_responses, int_contacts_classified, int_contact_sla, fct_contacts) are
    incremental by contact. A build rewrites the contacts whose conversation int_interactions rewrote since the model
    last stored a contact (the contact's `built_at` is later than every stored `contact_built_at`: a new contact, a
    late reply, a corrected record; int_interactions stamps the rows of each build later than the last, and builds do
    not overlap) and, where a reviewer's decision shows, every contact with a decision (a few, written by people). Their
    pre-hook forgets the rows built with other settings, seeds, classifier or SQL (int_contact_build_inputs), so
    those are rewritten too; their post-hook removes the contacts that left int_contacts (erasure, retention), as
    seen in `kept_in`: int_contacts itself, or the contact table the model mirrors one row for one row (or a subset
    of), which this build already cleared of them and which is cheaper to read than the view.
#}
{% macro incremental_contact_config(kept_in='int_contacts') -%}
    {{ incremental_table_config(
        'contact_id',
        fingerprint="'(select inputs_fingerprint from ' ~ ref('int_contact_build_inputs') ~ ')'",
        post_hooks=[
            "{{ forget_contacts_that_left('" ~ kept_in ~ "') }}",
            "{{ ensure_index(['contact_id'], unique=true) }}",
            "{{ ensure_index(['contact_built_at']) }}",
        ],
        bookkeeping=['contact_built_at', 'inputs_fingerprint'],
    ) }}
{%- endmacro %}

{#  The rows of `relation` (a contact model upstream, with `contact_id` and the time int_interactions wrote the
    contact's conversation, `built_at`) of the contacts written after this model last stored a contact, among the
    stored rows its pre-hook keeps; with `reviewed`, also those of every contact with a reviewer's decision. A range
    on `built_at`, compared with a literal (stored_maximum) and indexed: the planner reads those rows only. #}
{% macro contacts_changed_since_stored(relation, built_at='built_at', reviewed=false) -%}
    {%- set stored_until = stored_maximum(
        'contact_built_at',
        kept_where="inputs_fingerprint = (select inputs_fingerprint from " ~ ref('int_contact_build_inputs') ~ ")",
    ) -%}
    select * from {{ relation }} as changed
    where changed.{{ built_at }} > {{ stored_until }}
    {%- if reviewed %}

    union all

    select * from {{ relation }} as reviewed
    where
        reviewed.{{ built_at }} <= {{ stored_until }}
        and reviewed.contact_id in (
            select decisions.contact_id from {{ ref('stg_review__classification_overrides') }} as decisions
        )
    {%- endif %}
{%- endmacro %}

{% macro forget_contacts_that_left(kept_in) -%}
    {%- set contacts = ref(kept_in) -%}  {#- outside the condition, so that dbt sees the dependency -#}
    {%- if is_incremental() -%}
    delete from {{ this }} as stored
    where not exists (
        select from {{ contacts }} as contacts
        where contacts.contact_id = stored.contact_id
    )
    {%- endif -%}
{%- endmacro %}
