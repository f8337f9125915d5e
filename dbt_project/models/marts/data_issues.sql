{#
    Values the pipeline could not read, for the people who fix sources: one row per record and problem, with the
    raw table to look in. The value itself is not repeated here (it may be personal data); `row_key` and
    `source_record_key` find it in staging and raw.
#}
with

issues as (

    select * from {{ ref('int_data_issues') }}

)

select
    data_issue_id,
    channel,
    model_name,
    row_key,
    source_record_key,
    field_name,
    issue,
    loaded_at,
    {{ local_month_start('loaded_at') }} as loaded_month_start_date

from issues
