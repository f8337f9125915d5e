with

contacts as (

    select * from {{ ref('int_contacts') }}

),

disposition_codes as (

    select * from {{ ref('disposition_codes') }}

),

classification_lexicon as (

    select * from {{ ref('classification_lexicon') }}

),

contact_texts as materialized (

    -- normalised once per contact, not once per contact and term
    select
        contact_id,
        {{ normalise_text('contact_text') }} as normalised_text

    from contacts
    where trim(coalesce(contact_text, '')) <> ''

),

lexicon_terms as materialized (

    select distinct
        {{ normalise_text('term') }} as term,
        contact_type

    from classification_lexicon
    where trim(coalesce(term, '')) <> ''

),

lexicon_matches as (

    -- every lexicon term found in the text as a whole word or phrase; complaint terms outrank feedback terms
    select
        contact_texts.contact_id,
        lexicon_terms.term,
        lexicon_terms.contact_type,
        row_number() over (
            partition by contact_texts.contact_id
            order by
                case lexicon_terms.contact_type
                    when 'complaint' then 1
                    when 'feedback' then 2
                    else 3
                end,
                length(lexicon_terms.term) desc,
                lexicon_terms.term
        ) as match_rank

    from contact_texts
    inner join lexicon_terms
        on {{ matches_term('contact_texts.normalised_text', 'lexicon_terms.term') }}

),

lexicon_decisions as (

    select
        contact_id,
        term,
        contact_type

    from lexicon_matches
    where match_rank = 1

),

final as (

    select
        contacts.contact_id,
        contacts.channel,
        contacts.entity,
        contacts.contact_key,
        contacts.source_record_key,
        contacts.conversation_id,
        contacts.customer_ref,
        contacts.received_at,
        contacts.contact_text,
        contacts.disposition_code,
        contacts.language,
        case
            when disposition_codes.contact_type is not null then disposition_codes.contact_type
            when lexicon_decisions.contact_type is not null then lexicon_decisions.contact_type
            when trim(coalesce(contacts.contact_text, '')) <> '' then 'inquiry'
            else 'unclassified'
        end as contact_type,
        case
            when disposition_codes.contact_type is not null then 'disposition'
            when trim(coalesce(contacts.contact_text, '')) <> '' then 'lexicon'
            else 'none'
        end as classified_by,
        case
            when disposition_codes.contact_type is null then lexicon_decisions.term
        end as matched_term

    from contacts
    left join disposition_codes
        on contacts.disposition_code = disposition_codes.disposition_code
    left join lexicon_decisions
        on contacts.contact_id = lexicon_decisions.contact_id

)

select * from final
