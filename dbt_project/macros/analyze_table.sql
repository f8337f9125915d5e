{#
    A post-hook on every model (dbt_project.yml): a table, once built, gets its planner statistics at once
    (`analyze`), instead of when autovacuum next passes. Without them, a model that reads a table rebuilt moments
    before in the same build, or in the next one, is planned blind: `int_text_predictions`, run right after
    `int_interactions` was recreated, took 49 s instead of 0.4 s (a nested loop over every interaction). Views have
    nothing to analyse.
#}
{% macro analyze_table() -%}
    {%- if model.config.materialized == 'table' or (model.config.materialized == 'incremental' and rewrote_a_tenth()) -%}
    analyze {{ this }}
    {%- endif -%}
{%- endmacro %}

{#
    An incremental table is analysed when its build wrote or removed at least a tenth of its rows, or it has no
    statistics yet (created, or rebuilt, in this build): a day's build that adds a percent to a million-row table
    does not need new statistics (PostgreSQL's autovacuum refreshes them at a tenth, its default; the
    watermarks past the histogram's end are estimated from the index). The build's own writes are those of the
    current transaction, which the hook runs in.
#}
{% macro rewrote_a_tenth() -%}
    {%- if not execute -%}{{ return(true) }}{%- endif -%}
    {%- set query -%}
        select
            tables.reltuples < 0
            or pg_stat_get_xact_tuples_inserted(tables.oid) + pg_stat_get_xact_tuples_deleted(tables.oid)
            >= 0.1 * tables.reltuples
        from pg_class as tables
        where tables.oid = '{{ this }}'::regclass
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}
