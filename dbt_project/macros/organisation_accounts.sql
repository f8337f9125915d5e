{#
    The organisation's own accounts (support mailboxes, X user ids, Facebook page ids) as a SQL list literal,
    e.g. ('soporte@albaconnect.example'). The var holds a comma-separated string or a list; values are compared
    lowercased and trimmed.
#}
{% macro organisation_accounts(var_name) -%}
    {%- set configured = var(var_name) -%}
    {%- if configured is string -%}
        {%- set configured = configured.split(',') -%}
    {%- endif -%}
    {%- set accounts = [] -%}
    {%- for account in configured -%}
        {%- if account | string | trim -%}
            {%- do accounts.append("'" ~ (account | string | trim | lower | replace("'", "''")) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if accounts | length == 0 -%}
        {{ exceptions.raise_compiler_error("var '" ~ var_name ~ "' lists no account: set it in dbt_project.yml, with --vars, or through its environment variable") }}
    {%- endif -%}
    ({{ accounts | join(', ') }})
{%- endmacro %}
