{{
    config(
        materialized='incremental',
        unique_key=['model_name', 'text_hash'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        pre_hook=[
            "set local work_mem = '256MB'",
            "set local enable_sort = off",
            "set local enable_mergejoin = off",
        ],
        post_hook=[
            "{% if is_incremental() %}
            delete from {{ this }} as cached
            where
                (cached.model_name = 'contact_type' and not exists (
                    select from {{ ref('int_contacts') }} as contacts
                    where md5(contacts.contact_text) = cached.text_hash
                ))
                or (cached.model_name = 'sentiment' and not exists (
                    select from {{ ref('int_interactions') }} as interactions
                    where interactions.direction = 'inbound' and md5(interactions.interaction_text) = cached.text_hash
                ))
            {% endif %}",
        ],
    )
}}
{#
    Each distinct text scored once per model version: a build scores only texts it has not scored with the
    installed version (a new artefact rescores everything; `--full-refresh` too). The planner cannot estimate
    how many features a text has, and with the row counts it guesses it sorts (and spills) what hashes in memory:
    the pre-hooks give it the memory and steer it to hash aggregation and hash joins, for this model only.
    The post-hook forgets texts no longer in the warehouse (erased, past retention, corrected at the source): the
    cache holds customers' words only while the warehouse does.
#}

with

contacts as (

    select * from {{ ref('int_contacts') }}

),

interactions as (

    select * from {{ ref('int_interactions') }}

),

classifier_models as (

    select * from {{ source('classifier', 'models') }}

),

wanted as (

    -- contacts are typed by their opening text; every inbound message and mention gets a sentiment
    select distinct
        'contact_type' as model_name,
        md5(contact_text) as text_hash,
        contact_text as classifier_text
    from contacts
    where trim(coalesce(contact_text, '')) <> ''

    union

    select distinct
        'sentiment' as model_name,
        md5(interaction_text) as text_hash,
        interaction_text as classifier_text
    from interactions
    where
        direction = 'inbound'
        and trim(coalesce(interaction_text, '')) <> ''

),

pending as (

    select
        wanted.model_name,
        wanted.text_hash as text_id,
        wanted.classifier_text

    from wanted
    {% if is_incremental() %}
    inner join classifier_models
        on wanted.model_name = classifier_models.model_name
    where not exists (
        select 1
        from {{ this }} as scored
        where
            scored.model_name = wanted.model_name
            and scored.text_hash = wanted.text_hash
            and scored.model_version = classifier_models.model_version
    )
    {% endif %}

),

predictions as (

    {{ classifier_predictions('pending', ['contact_type', 'sentiment']) }}

),

final as (

    select
        model_name,
        text_id as text_hash,
        label,
        probability,
        runner_up,
        evidence,
        model_version
    from predictions

)

select * from final
