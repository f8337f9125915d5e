with

survey_responses as (

    select * from {{ ref('stg_surveys__responses') }}

),

contacts as (

    select * from {{ ref('fct_contacts') }}

),

final as (

    select
        survey_responses.response_id,
        'surveys:' || survey_responses.response_id as survey_contact_id,
        survey_responses.submitted_at,
        {{ local_date('survey_responses.submitted_at') }} as submitted_date,
        {{ local_month_start('survey_responses.submitted_at') }} as submitted_month_start_date,
        survey_responses.contact_channel as rated_channel,
        survey_responses.contact_ref as rated_contact_ref,
        contacts.contact_id,
        survey_responses.csat_score,
        survey_responses.nps_score,
        case
            when survey_responses.csat_score is not null then survey_responses.csat_score >= 4
        end as is_satisfied,
        case
            when survey_responses.nps_score >= 9 then 'promoter'
            when survey_responses.nps_score >= 7 then 'passive'
            when survey_responses.nps_score >= 0 then 'detractor'
        end as nps_category,
        survey_responses.comment,
        survey_responses.language,
        survey_responses.source_record_key

    from survey_responses
    left join contacts
        on survey_responses.contact_channel || ':' || survey_responses.contact_ref = contacts.contact_id

)

select * from final
