{#
    Text matching for the classification lexicon, independent of the database's collation.

    normalise_text: NFC-normalised and lowercased, including the accented capitals of Latin-1 (in the "C"
    collation lower() only folds ASCII).

    matches_term: true when the (already normalised) text contains the term bounded on both sides by the start or
    end of the text or a non-word character. Word characters are letters, digits and `_`, accented Latin letters
    included, so `queja` matches "¡Queja!" but not "quejarse", and `refund` does not match "refunded".
    Regular-expression metacharacters in the term are escaped.
#}
{% macro normalise_text(expression) -%}
    translate(
        lower(normalize(coalesce({{ expression }}, ''), nfc)),
        'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞ',
        'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþ'
    )
{%- endmacro %}

{% macro matches_term(text_expression, term_expression) -%}
    {%- set word_character = '[:alnum:]_À-ÖØ-öø-ÿ' -%}
    {#- the substring test is cheap and spares most regular-expression compilations -#}
    (
        strpos({{ text_expression }}, {{ term_expression }}) > 0
        and {{ text_expression }} ~ (
            '(^|[^{{ word_character }}])'
            || regexp_replace({{ term_expression }}, '([.^$*+?()\[\]{}|\\])', '\\\1', 'g')
            || '($|[^{{ word_character }}])'
        )
    )
{%- endmacro %}
