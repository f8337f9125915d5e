-- One row: the digest of everything the contact models' rows depend on besides the contacts themselves (the
-- settings, the pseudonymisation key, the interaction and contact models' SQL, the seeds that classify and measure a
-- contact, the installed classifier). The incremental contact models store it with every row and rewrite the rows
-- built with another (macros/incremental_contacts.sql).
with

seeds as (

    select
        {%- for seed in ['disposition_codes', 'sla_targets', 'business_calendars', 'public_holidays'] %}
        coalesce((select string_agg(seeded::text, '|' order by seeded::text) from {{ ref(seed) }} as seeded), '')
        {%- if not loop.last %} ||{% endif %}
        {%- endfor %} as seed_contents

),

classifier as (

    select
        coalesce(
            string_agg(concat_ws(':', model_name, model_version, review_threshold), '|' order by model_name), ''
        ) as installed_models

    from {{ source('classifier', 'models') }}

)

select md5(
    {{ inputs_fingerprint(interaction_models() + contact_models()) }}
    || seeds.seed_contents
    || classifier.installed_models
) as inputs_fingerprint

from seeds
cross join classifier
