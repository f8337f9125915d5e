{#
    A post-hook on every model (dbt_project.yml): a table, once built, gets its planner statistics at once
    (`analyze`), instead of when autovacuum next passes. Without them, a model that reads a table rebuilt moments
    before in the same build, or in the next one, is planned blind: `int_text_predictions`, run right after
    `int_interactions` was recreated, took 49 s instead of 0.4 s (a nested loop over every interaction). Views have
    nothing to analyse.
#}
{% macro analyze_table() -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
    analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
