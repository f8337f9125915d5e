-- A first response never precedes the contact it answers, in every layer that carries both.
with

first_responses as (

    select * from {{ ref('int_contact_first_responses') }}

),

contacts as (

    select * from {{ ref('fct_contacts') }}

),

complaints as (

    select * from {{ ref('fct_complaints') }}

),

violations as (

    select 'int_contact_first_responses' as model_name, contact_id, received_at, first_response_at
    from first_responses
    where first_response_at < received_at

    union all

    select 'fct_contacts' as model_name, contact_id, received_at, first_response_at
    from contacts
    where first_response_at < received_at or first_response_minutes < 0

    union all

    select 'fct_complaints' as model_name, complaint_id, received_at, first_response_at
    from complaints
    where first_response_at < received_at or first_response_minutes < 0

)

select * from violations
