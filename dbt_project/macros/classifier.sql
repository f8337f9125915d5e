{#
    The classifier, scored in SQL: the warehouse's copy of plugins/voc/classifier/features.py and model.py
    (a test scores the labelled corpus both ways and requires the same labels, probabilities and evidence).

    classifier_normalise: NFC, then one explicit character table (ASCII and Latin-1 capitals to lowercase,
    accented Latin-1 letters to their base letter, ¿ ¡ to ? !), so the result does not depend on the database's
    collation (lower() is used only under the "C" collation, which changes A-Z and nothing else).

    classifier_predictions(texts, model_names): a query over the relation or CTE `texts` (columns model_name,
    text_id, classifier_text: one row per text and model that should score it) giving, per model and text with at
    least one character, the model's name, the text_id, the winning label (the highest bias + sum of the weights of
    the features present; ties go to the label listed first), its softmax probability, the runner-up label, the
    evidence (the features that pushed the winner above the runner-up, at most five, largest first, as
    `feature (+contribution)` joined by `; `) and the model's version.
    Features: tokens (w:), adjacent token pairs (b:) and padded character 4-grams of words (c:). A text scored by
    several models is cut into features once.

    The weights are read from classifier.weight_vectors: one row per feature with an integer array of its weights
    (in 1/10,000) in the order of the model's labels, so a text's scores are one sum per label position over the
    features it has, and a feature's contribution is the difference of two array elements.
#}
{% macro classifier_fold_from() -%}
ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ¿¡
{%- endmacro %}

{% macro classifier_fold_to() -%}
aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyy?!
{%- endmacro %}

{% macro classifier_token_pattern() -%}
[a-z0-9]+|[?!]|[\u2600-\u27BF\U0001F300-\U0001FAFF]
{%- endmacro %}

{#
    The character table in two steps that give what one translate() over the whole table gives: ASCII capitals
    by lower() under the "C" collation (which changes A-Z and nothing else, whatever the database's locale), then
    the Latin-1 part of the table, only for texts with a character outside ASCII (translate() looks up every
    character of the text in the table: skipping it halves the cost of normalising).
#}
{% macro classifier_normalise(expression) -%}
    {%- set ascii_folded -%}
        lower(normalize(coalesce({{ expression }}, ''), nfc) collate "C")
    {%- endset -%}
    case
        when {{ expression }} ~ '[^\x01-\x7e]'
            then translate({{ ascii_folded }}, '{{ classifier_fold_from() }}', '{{ classifier_fold_to() }}')
        else {{ ascii_folded }}
    end
{%- endmacro %}

{% macro classifier_predictions(texts, model_names, max_labels=8) %}
    with

    texts_to_score as (

        select
            model_name,
            text_id,
            classifier_text

        from {{ texts }}
        where coalesce(classifier_text, '') <> ''

    ),

    normalised_texts as materialized (

        -- each text once, whichever models score it, under a small integer key for the joins and sorts below
        -- (materialised: every reader must see the same key for a text)
        select
            text_id,
            row_number() over () as text_key,
            {{ classifier_normalise('classifier_text') }} as normalised_text,
            {%- for model_name in model_names %}
            scored_by_{{ model_name }}{{ "," if not loop.last }}
            {%- endfor %}

        from (
            select
                text_id,
                min(classifier_text) as classifier_text,
                {%- for model_name in model_names %}
                bool_or(model_name = '{{ model_name }}') as scored_by_{{ model_name }}{{ "," if not loop.last }}
                {%- endfor %}
            from texts_to_score
            group by text_id
        ) as distinct_texts

    ),

    text_tokens as materialized (

        select
            text_key,
            array(
                select token_matches.token_match[1]
                from regexp_matches(
                    normalised_texts.normalised_text, '{{ classifier_token_pattern() }}', 'g'
                ) with ordinality as token_matches (token_match, token_position)
                order by token_matches.token_position
            ) as tokens

        from normalised_texts

    ),

    text_features as materialized (

        -- the feature set of each text, de-duplicated text by text (a small hash table per text, not one for
        -- every feature of every text)
        select
            text_tokens.text_key,
            features.feature

        from text_tokens
        cross join lateral (

            select 'w:' || token as feature
            from unnest(text_tokens.tokens) as words (token)

            union

            select 'b:' || text_tokens.tokens[pair_start] || ' ' || text_tokens.tokens[pair_start + 1]
            from generate_series(1, cardinality(text_tokens.tokens) - 1) as pair_start

            union

            select 'c:' || substr('<' || token || '>', gram_start, 4)
            from unnest(text_tokens.tokens) as words (token)
            cross join lateral generate_series(1, length(token) - 1) as gram_start
            where token ~ '^[a-z0-9]+$'

        ) as features (feature)

    ),

    {% for model_name in model_names %}
    {{ model_name }}_model as (

        select
            model_version,
            string_to_array(labels, '|') as labels

        from {{ source('classifier', 'models') }}
        where model_name = '{{ model_name }}'

    ),

    {{ model_name }}_weights as (

        select
            feature,
            weights

        from {{ source('classifier', 'weight_vectors') }}
        where model_name = '{{ model_name }}'

    ),

    {{ model_name }}_labels as (

        select
            model_labels.label,
            model_labels.label_order,
            bias.weights[model_labels.label_order] as bias

        from {{ model_name }}_model
        cross join lateral unnest({{ model_name }}_model.labels) with ordinality as model_labels (label, label_order)
        cross join {{ model_name }}_weights as bias
        where bias.feature = '(bias)'

    ),

    {{ model_name }}_texts as (

        select text_key
        from normalised_texts
        where scored_by_{{ model_name }}

    ),

    {{ model_name }}_feature_weights as materialized (

        select
            text_features.text_key,
            text_features.feature,
            {{ model_name }}_weights.weights

        from text_features
        inner join {{ model_name }}_texts
            on text_features.text_key = {{ model_name }}_texts.text_key
        inner join {{ model_name }}_weights
            on text_features.feature = {{ model_name }}_weights.feature

    ),

    {{ model_name }}_label_sums as (

        select
            text_key,
            array[
                {%- for position in range(1, max_labels + 1) %}
                sum(weights[{{ position }}]){{ "," if not loop.last }}
                {%- endfor %}
            ] as weight_sums

        from {{ model_name }}_feature_weights
        group by text_key

    ),

    {{ model_name }}_ranked_labels as (

        select
            label_scores.text_key,
            label_scores.label,
            label_scores.label_order,
            row_number() over (
                partition by label_scores.text_key order by label_scores.score desc, label_scores.label_order
            ) as label_rank,
            exp(
                ((label_scores.score - max(label_scores.score) over (partition by label_scores.text_key)) / 10000.0)::float8
            ) as relative_likelihood

        from (
            select
                {{ model_name }}_texts.text_key,
                {{ model_name }}_labels.label,
                {{ model_name }}_labels.label_order,
                {{ model_name }}_labels.bias
                + coalesce({{ model_name }}_label_sums.weight_sums[{{ model_name }}_labels.label_order], 0) as score

            from {{ model_name }}_texts
            cross join {{ model_name }}_labels
            left join {{ model_name }}_label_sums
                on {{ model_name }}_texts.text_key = {{ model_name }}_label_sums.text_key
        ) as label_scores

    ),

    {{ model_name }}_decisions as (

        select
            text_key,
            max(case when label_rank = 1 then label end) as label,
            max(case when label_rank = 1 then label_order end) as label_order,
            max(case when label_rank = 2 then label end) as runner_up,
            max(case when label_rank = 2 then label_order end) as runner_up_order,
            1 / sum(relative_likelihood) as probability

        from {{ model_name }}_ranked_labels
        group by text_key

    ),

    {{ model_name }}_evidence as (

        select
            text_key,
            string_agg(
                feature || ' (+' || to_char(contribution / 10000.0, 'FM9999990.0000') || ')', '; '
                order by contribution_rank
            ) as evidence

        from (
            select
                text_key,
                feature,
                contribution,
                row_number() over (
                    partition by text_key order by contribution desc, feature collate "C"
                ) as contribution_rank

            from (
                select
                    {{ model_name }}_feature_weights.text_key,
                    {{ model_name }}_feature_weights.feature,
                    {{ model_name }}_feature_weights.weights[{{ model_name }}_decisions.label_order]
                    - {{ model_name }}_feature_weights.weights[{{ model_name }}_decisions.runner_up_order]
                        as contribution

                from {{ model_name }}_feature_weights
                inner join {{ model_name }}_decisions
                    on {{ model_name }}_feature_weights.text_key = {{ model_name }}_decisions.text_key
            ) as contributions
            where contribution > 0
        ) as ranked_contributions
        where contribution_rank <= 5
        group by text_key

    ),

    {% endfor %}

    predictions as (

        {% for model_name in model_names %}
        select
            '{{ model_name }}' as model_name,
            {{ model_name }}_decisions.text_key,
            {{ model_name }}_decisions.label,
            {{ model_name }}_decisions.probability,
            {{ model_name }}_decisions.runner_up,
            {{ model_name }}_evidence.evidence,
            {{ model_name }}_model.model_version

        from {{ model_name }}_decisions
        cross join {{ model_name }}_model
        left join {{ model_name }}_evidence
            on {{ model_name }}_decisions.text_key = {{ model_name }}_evidence.text_key
        {% if not loop.last %}union all{% endif %}
        {% endfor %}

    )

    select
        predictions.model_name,
        normalised_texts.text_id,
        predictions.label,
        predictions.probability,
        predictions.runner_up,
        predictions.evidence,
        predictions.model_version

    from predictions
    inner join normalised_texts
        on predictions.text_key = normalised_texts.text_key
{% endmacro %}

{#  The installed version of a classifier model (none when it is not installed), read when the model that asks is
    compiled: for filters the planner should estimate from the column's statistics, as a literal. #}
{% macro installed_model_version(model_name) -%}
    {%- if execute -%}
        {%- set query -%}
            select model_version from {{ source('classifier', 'models') }} where model_name = '{{ model_name }}'
        {%- endset -%}
        {%- set versions = run_query(query).columns[0].values() -%}
        {{- return(versions[0] if versions else none) -}}
    {%- endif -%}
    {{- return(none) -}}
{%- endmacro %}
