{#
    Schemas are exact names: a folder's `+schema` (staging, intermediate, marts, reference) is used as given,
    not prefixed with the target schema, so BI tools and Great Expectations find `marts.fct_contacts` everywhere.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
