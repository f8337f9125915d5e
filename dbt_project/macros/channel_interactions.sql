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
    select
        channel, entity, record_id, source_record_key, conversation_id, direction, occurred_at, author_key,
        interaction_text, disposition_code, language, source_loaded_at, opens_contact, contact_key, contact_entity,
        contact_customer_key, contact_disposition_code
    from {{ ref(model) }}
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

{#
    Incremental models store, with every row, a digest of what the row depends on besides its records
    (`inputs_fingerprint`). `inputs_fingerprint(models)`: the time zone, the organisation's accounts, the phone
    country code, the offset policy, the pseudonymisation key (through the pseudonym of a fixed probe, never the key
    itself) and the SQL of `models`. `interaction_inputs_fingerprint()`: that of the interaction models. The contact
    models' digest adds their SQL and the seeds and classifier they are built with: `int_contact_build_inputs`.
    `forget_rows_built_with_other_inputs(fingerprint)` (a pre-hook) deletes the stored rows whose digest is not the
    current one, so that the build rewrites them: an upgrade, a new key, a changed setting, seed or classifier needs
    no manual `--full-refresh`.
#}
{% macro inputs_fingerprint(models) -%}
    {%- set parts = [] -%}
    {%- for name in ['timezone', 'organisation_email_addresses', 'organisation_twitter_user_ids',
                     'organisation_facebook_page_ids', 'phone_country_code', 'offsetless_timestamps'] -%}
        {%- do parts.append(name ~ '=' ~ var(name)) -%}
    {%- endfor -%}
    {%- if execute -%}
        {%- for node in graph.get('nodes', {}).values() | sort(attribute='name') if node.resource_type == 'model' and node.name in models -%}
            {%- do parts.append(node.name ~ '=' ~ node.checksum.checksum) -%}
        {%- endfor -%}
    {%- endif -%}
    md5('{{ parts | join("|") | replace("'", "''") }}' || {{ pseudonym('email', "'fingerprint@voc.invalid'") }})
{%- endmacro %}

{#
    The channel models whose every row comes from one raw record and nothing else (a call; a chat session's
    messages) are tables incremental by that record (`channel_table_config(raw_table)`): a build writes the rows of
    the records landed or corrected since the last (`source_records_changed_since_stored(alias)`: their `loaded_at`
    differs from the stored `source_loaded_at`) and nothing else. The post-hook removes the rows whose record left
    raw or was landed again since they were written (a corrected session that lost its messages leaves nothing to
    replace them), and a changed setting or SQL (the model's or its staging models') forgets every row first.
    int_interactions then compares and picks up what changed, as from any channel model.
#}
{% macro channel_table_config(raw_table) -%}
    {{ incremental_table_config(
        'source_record_key',
        fingerprint='own_inputs_fingerprint()',
        post_hooks=[
            "{{ forget_rows_of_records_not_in_raw('" ~ raw_table ~ "') }}",
            "{{ ensure_index(['source_record_key']) }}",
        ],
        bookkeeping=['source_loaded_at', 'inputs_fingerprint'],
    ) }}
{%- endmacro %}

{#  inputs_fingerprint of this model and the models it reads. #}
{% macro own_inputs_fingerprint() -%}
    {%- set names = [model.name] -%}
    {%- for node in model.depends_on.nodes -%}
        {%- do names.append(node.split('.')[-1]) -%}
    {%- endfor -%}
    {{ inputs_fingerprint(names) }}
{%- endmacro %}

{% macro source_records_changed_since_stored(alias) -%}
    {%- if is_incremental() %}
    where not exists (
        select from {{ this }} as stored
        where
            stored.source_record_key = {{ alias }}.source_record_key
            and stored.source_loaded_at = {{ alias }}.loaded_at
    )
    {%- endif %}
{%- endmacro %}

{% macro forget_rows_of_records_not_in_raw(raw_table) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} as stored
    where not exists (
        select from {{ source('raw', raw_table) }} as raw
        where raw.record_key = stored.source_record_key and raw.loaded_at = stored.source_loaded_at
    )
    {%- endif -%}
{%- endmacro %}

{% macro interaction_models() %}
    {{ return(channel_interaction_models() + ['int_interactions', 'fct_interactions']) }}
{% endmacro %}

{% macro contact_models() %}
    {{ return(['int_contacts', 'int_contact_first_responses', 'int_contacts_classified', 'int_contact_sla', 'fct_contacts']) }}
{% endmacro %}

{% macro interaction_inputs_fingerprint() -%}
    {{ inputs_fingerprint(interaction_models()) }}
{%- endmacro %}

{% macro forget_rows_built_with_other_inputs(fingerprint) -%}
    {%- if is_incremental() -%}
    delete from {{ this }} where inputs_fingerprint is distinct from (select {{ fingerprint }})
    {%- endif -%}
{%- endmacro %}

{#
    The configuration every incremental table shares: rewritten by `unique_key` (dbt's delete+insert: a build
    replaces the stored rows that have the key of a row it writes), failing on a schema change rather than drifting;
    with `fingerprint` (the SQL of its digest), a pre-hook forgets the rows built with other inputs; `post_hooks`
    remove what left upstream and keep the indexes; `bookkeeping` names the columns a stored table must have.
#}
{% macro incremental_table_config(unique_key, fingerprint=none, post_hooks=[], bookkeeping=[]) -%}
    {{ config(
        materialized='incremental',
        unique_key=unique_key,
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=["{{ forget_rows_built_with_other_inputs(" ~ fingerprint ~ ") }}"] if fingerprint else [],
        post_hook=post_hooks,
    ) }}
    {{- require_incremental_columns(bookkeeping) }}
{%- endmacro %}

{#
    An incremental model whose stored table predates its bookkeeping columns (built by an earlier version) cannot be
    brought up to date row by row: say so, and how to rebuild it, instead of failing on a missing column.
#}
{% macro require_incremental_columns(columns) -%}
    {%- if execute and is_incremental() -%}
        {%- set present = adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {%- set missing = columns | reject('in', present) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                this ~ " was built by an earlier version of the project (it has no " ~ missing | join(", ")
                ~ "): rebuild the warehouse's tables once with `voc dbt build --full-refresh`"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#
    The largest `column` among the stored rows of this incremental model (with `kept_where`: among those a pre-hook
    keeps), as a literal, or '-infinity' when there are none. An incremental model reads the rows of its input newer
    than this; a literal, unlike a subquery, lets the planner see how few they are and read only them, through an
    index on the input (`ensure_index`), instead of joining every row and filtering at the end. It is taken when
    the model is compiled, which is after its parents were built and before its own hooks run; `kept_where` names
    the rows that survive the pre-hook (the rows the pre-hook forgets must count as not stored).
#}
{% macro stored_maximum(column, kept_where=none) -%}
    {%- if execute and is_incremental() -%}
        {%- set query -%}
            select to_json(max({{ column }}))#>>'{}' from {{ this }} {% if kept_where %}where {{ kept_where }}{% endif %}
        {%- endset -%}
        {%- set latest = run_query(query).columns[0].values()[0] -%}
        '{{ latest if latest is not none else "-infinity" }}'::timestamptz
    {%- else -%}
        '-infinity'::timestamptz
    {%- endif -%}
{%- endmacro %}

{#
    A post-hook: an index on `columns` of this model's table, unless it has one; `unique=true` makes it the key
    PostgreSQL enforces on every row written (a build that would store a duplicate fails, naming the key), in place
    of a `unique` data test, which reads the whole table on every build. For the tables that incremental builds read
    a few rows of (the rows newer than a watermark, the rows of a few conversations) or keep by key. A hook rather
    than dbt's `indexes` setting, which an incremental build applies only when it creates the table: a warehouse
    built before the index was added gets it at its next build (a plain index on the same columns gives way to the
    unique one).
#}
{% macro ensure_index(columns, unique=false) -%}
    {%- if execute -%}
        {%- set query -%}
            select indexname, indexdef like 'CREATE UNIQUE INDEX %' as is_unique from pg_indexes
            where
                schemaname = '{{ this.schema }}'
                and tablename = '{{ this.identifier }}'
                and indexdef like '% USING btree ({{ columns | join(", ") }})'
        {%- endset -%}
        {%- set found = run_query(query) -%}
        {%- set names = found.columns[0].values() -%}
        {%- set uniques = found.columns[1].values() -%}
        {%- if not names or (unique and true not in uniques) -%}
            create {{ 'unique ' if unique }}index on {{ this }} ({{ columns | join(', ') }});
            {%- for name in names %}
            drop index {{ this.schema }}.{{ adapter.quote(name) }};
            {%- endfor %}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
