with

source as (

    select * from {{ source('raw', 'corrective_actions') }}

),

parsed as (

    select
        record_key as action_id,
        record_key as source_record_key,
        {{ text_value("payload ->> 'root_cause'") }} as root_cause,
        {{ text_value("payload ->> 'description'") }} as description,
        {{ cast_or_null("payload ->> 'opened_on'", 'date') }} as opened_on,
        {{ cast_or_null("payload ->> 'due_on'", 'date') }} as due_on,
        {{ cast_or_null("payload ->> 'closed_on'", 'date') }} as closed_on,
        {{ text_value("payload ->> 'owner_role'") }} as owner_role,
        {{ cast_or_null("payload ->> 'effectiveness_check_on'", 'date') }} as effectiveness_check_on,
        array[
            {{ cast_issue("payload ->> 'opened_on'", 'date', 'opened_on') }},
            {{ cast_issue("payload ->> 'due_on'", 'date', 'due_on') }},
            {{ cast_issue("payload ->> 'closed_on'", 'date', 'closed_on') }},
            {{ cast_issue("payload ->> 'effectiveness_check_on'", 'date', 'effectiveness_check_on') }}
        ] as value_issues,
        loaded_at

    from source

),

renamed as (

    select
        action_id,
        source_record_key,
        root_cause,
        description,
        opened_on,
        due_on,
        -- a closing before the opening cannot be right: null, and the row says why
        case when closed_on >= opened_on or opened_on is null then closed_on end as closed_on,
        owner_role,
        effectiveness_check_on,
        to_jsonb(array_remove(
            value_issues || array[
                case when root_cause is null then 'root_cause: missing' end,
                case when opened_on is null and value_issues[1] is null then 'opened_on: missing' end,
                case when closed_on < opened_on then 'closed_on: before opened_on, not read' end
            ]::text[],
            null
        )) as data_issues,
        loaded_at

    from parsed

)

select * from renamed
