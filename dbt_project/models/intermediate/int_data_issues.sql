{#
    Every value the pipeline could not read as its field's type, one row per record and issue: the staging
    models' `data_issues` (a cast, a range or a timestamp without offset; see macros/values.sql), and contacts
    whose disposition code is not in the `disposition_codes` seed (a code the seed does not know decides nothing,
    so a call without text stays unclassified and would otherwise drop out of the complaint count unseen).
#}

with

staged_issues as (

    {#- stg_twitter__users has no typed field, so no data_issues column -#}
    {% for channel, model, key, event_time, _entity in staged_sources() if model != 'stg_twitter__users' %}
    select
        '{{ channel }}' as channel,
        '{{ model }}' as model_name,
        {{ key }}::text as row_key,
        source_record_key,
        issue,
        loaded_at

    from {{ ref(model) }}
    cross join lateral jsonb_array_elements_text(data_issues) as issue
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

disposition_codes as (

    select * from {{ ref('disposition_codes') }}

),

unknown_codes as (

    select
        contacts.channel,
        'int_contacts_classified' as model_name,
        contacts.contact_id as row_key,
        contacts.source_record_key,
        'disposition_code: unknown code, '
            || case contacts.classified_by
                when 'model' then 'classified by the model from the text'
                when 'override' then 'type set by a reviewer'
                else 'contact left unclassified'
            end as issue,
        null::timestamptz as loaded_at

    from {{ ref('int_contacts_classified') }} as contacts
    left join disposition_codes
        on contacts.disposition_code = disposition_codes.disposition_code
    where contacts.disposition_code is not null
      and disposition_codes.disposition_code is null

),

unioned as (

    select * from staged_issues
    union all
    select * from unknown_codes

)

select
    md5(model_name || '|' || row_key || '|' || issue) as data_issue_id,
    channel,
    model_name,
    row_key,
    source_record_key,
    split_part(issue, ': ', 1) as field_name,
    substr(issue, length(split_part(issue, ': ', 1)) + 3) as issue,
    loaded_at

from unioned
