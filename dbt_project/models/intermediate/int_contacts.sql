-- the interactions that open a contact, as each channel's model marks them (models/intermediate/channels/)
{{ config(materialized='view') }}

with

interactions as (

    select * from {{ ref('int_interactions') }}

),

final as (

    select
        channel || ':' || contact_key as contact_id,
        channel,
        contact_entity as entity,
        contact_key,
        source_record_key,
        conversation_id,
        conversation_key,
        contact_customer_key as customer_key,
        occurred_at as received_at,
        interaction_text as contact_text,
        contact_disposition_code as disposition_code,
        language,
        -- when a build last wrote the contact's conversation: the contact models rebuild the contacts it changed
        built_at

    from interactions
    where
        contact_key is not null
        -- a contact whose time could not be read belongs to no period: it is left out here and stays visible as a
        -- row of marts.data_issues (e.g. `started_at: no UTC offset, not read`), counted in the report
        and occurred_at is not null

)

select * from final
