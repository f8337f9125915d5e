with

source as (

    select * from {{ source('review', 'classification_overrides') }}

),

renamed as (

    select
        override_id,
        contact_id,
        contact_type,
        reason as override_reason,
        overridden_by,
        overridden_at

    from source

)

select * from renamed
