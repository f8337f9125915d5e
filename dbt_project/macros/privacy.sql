{#
    Customer pseudonyms: HMAC-SHA-256 of "<kind>:<normalised identifier>" in hex, so that no mart a BI tool reads
    carries a phone number, an address, a handle or a name, and the same person still has the same key on every
    row of a channel (voc.privacy documents the secret, its rotation and the normalisation; tests/test_privacy.py
    checks this SQL against Python's hmac module).

    The secret never enters the warehouse: dbt's sessions get its HMAC key pads as the session settings
    voc.pseudonym_ipad and voc.pseudonym_opad (PGOPTIONS in dbt's environment, set by `voc dbt` and the transform
    DAG). HMAC(K, m) = sha256((K xor opad) || sha256((K xor ipad) || m)), RFC 2104.

    kind: phone | email | chat | twitter | facebook | web (see normalised_identifier).
#}
{% macro pseudonym(kind, expression) -%}
    encode(sha256(
        decode(current_setting('voc.pseudonym_opad'), 'hex')
        || sha256(
            decode(current_setting('voc.pseudonym_ipad'), 'hex')
            || convert_to('{{ kind }}:' || {{ normalised_identifier(kind, expression) }}, 'UTF8')
        )
    ), 'hex')
{%- endmacro %}

{#
    phone: E.164. `+` or `00` starts an international number; a national one loses one trunk 0 and gets the var
        phone_country_code. Everything but digits is dropped.
    email: trimmed, lower case. web (a feed author's name): lower case, white space collapsed.
    chat, twitter, facebook (the channel's own user ids): trimmed.
    An identifier with nothing left is null, and so is its pseudonym.
#}
{% macro normalised_identifier(kind, expression) -%}
    {%- if kind == 'phone' -%}
    (case
        when btrim({{ expression }}) ~ '^(\+|00)'
            then '+' || nullif(regexp_replace(regexp_replace(btrim({{ expression }}), '^00', ''), '\D', '', 'g'), '')
        else '+{{ var("phone_country_code") }}' || nullif(regexp_replace(regexp_replace({{ expression }}, '\D', '', 'g'), '^0', ''), '')
    end)
    {%- elif kind == 'email' -%}
    nullif(lower(btrim({{ expression }})), '')
    {%- elif kind == 'web' -%}
    nullif(lower(btrim(regexp_replace({{ expression }}, '\s+', ' ', 'g'))), '')
    {%- elif kind in ('chat', 'twitter', 'facebook') -%}
    nullif(btrim({{ expression }}), '')
    {%- else -%}
    {{ exceptions.raise_compiler_error("pseudonym: unknown identifier kind '" ~ kind ~ "' (phone, email, chat, twitter, facebook, web)") }}
    {%- endif -%}
{%- endmacro %}

{#
    on-run-start: a session without the key pads stops dbt at once, saying what to set (rather than failing in the
    first model that pseudonymises, with PostgreSQL's "unrecognized configuration parameter").
#}
{% macro check_pseudonym_key() -%}
    do $$
    begin
        if coalesce(current_setting('voc.pseudonym_ipad', true), '') !~ '^[0-9a-f]{128}$'
            or coalesce(current_setting('voc.pseudonym_opad', true), '') !~ '^[0-9a-f]{128}$' then
            raise exception 'no pseudonymisation key in this dbt session: run dbt through `voc dbt` (or the '
                'transform_dbt DAG), which passes it, and set VOC_PSEUDONYM_SECRET (or VOC_PSEUDONYM_SECRET_FILE) '
                'for a configured warehouse';
        end if;
    end
    $$
{%- endmacro %}
