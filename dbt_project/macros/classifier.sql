{#
    The classifier, scored in SQL: the warehouse's copy of plugins/voc/classifier/features.py and model.py
    (a test scores the labelled corpus both ways and requires the same labels, probabilities and evidence).

    classifier_normalise: NFC, then one explicit character table (ASCII and Latin-1 capitals to lowercase,
    accented Latin-1 letters to their base letter, ¿ ¡ to ? !), never lower(), so the result does not depend on the
    database's collation.

    classifier_predictions(texts, model_name): a query over the relation or CTE `texts` (columns text_id,
    classifier_text) giving, per text with at least one character, the winning label of the model (the highest
    bias + sum of the weights of the features present; ties go to the label listed first), its softmax
    probability, the runner-up label, the evidence (the features that pushed the winner above the runner-up, at
    most five, largest first, as `feature (+contribution)` joined by `; `) and the model's version.
    Features: tokens (w:), adjacent token pairs (b:) and padded character 4-grams of words (c:).

    The weights are read from classifier.weight_vectors: one row per feature with an integer array of its weights
    (in 1/10,000) in the order of the model's labels, so a text's scores are one sum per label position over the
    features it has, and a feature's contribution is the difference of two array elements.
#}
{% macro classifier_fold_from() -%}
ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿ¿¡
{%- endmacro %}

{% macro classifier_fold_to() -%}
abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyy?!
{%- endmacro %}

{% macro classifier_token_pattern() -%}
[a-z0-9]+|[?!]|[\u2600-\u27BF\U0001F300-\U0001FAFF]
{%- endmacro %}

{% macro classifier_normalise(expression) -%}
    translate(
        normalize(coalesce({{ expression }}, ''), nfc),
        '{{ classifier_fold_from() }}',
        '{{ classifier_fold_to() }}'
    )
{%- endmacro %}

{% macro classifier_predictions(texts, model_name, max_labels=8) %}
    with

    classifier_model as (

        select
            model_version,
            string_to_array(labels, '|') as labels

        from {{ source('classifier', 'models') }}
        where model_name = '{{ model_name }}'

    ),

    classifier_weights as (

        select
            feature,
            weights

        from {{ source('classifier', 'weight_vectors') }}
        where model_name = '{{ model_name }}'

    ),

    classifier_labels as (

        select
            model_labels.label,
            model_labels.label_order,
            bias.weights[model_labels.label_order] as bias

        from classifier_model
        cross join lateral unnest(classifier_model.labels) with ordinality as model_labels (label, label_order)
        cross join classifier_weights as bias
        where bias.feature = '(bias)'

    ),

    normalised_texts as (

        select
            text_id,
            {{ classifier_normalise('classifier_text') }} as normalised_text

        from {{ texts }}
        where coalesce(classifier_text, '') <> ''

    ),

    text_tokens as (

        select
            normalised_texts.text_id,
            token_matches.token_position,
            token_matches.token_match[1] as token

        from normalised_texts
        cross join lateral regexp_matches(
            normalised_texts.normalised_text, '{{ classifier_token_pattern() }}', 'g'
        ) with ordinality as token_matches (token_match, token_position)

    ),

    token_pairs as (

        select
            text_id,
            token,
            lead(token) over (partition by text_id order by token_position) as next_token

        from text_tokens

    ),

    text_features as (

        select
            text_id,
            'w:' || token as feature
        from text_tokens

        union

        select
            text_id,
            'b:' || token || ' ' || next_token as feature
        from token_pairs
        where next_token is not null

        union

        select
            text_tokens.text_id,
            'c:' || substr('<' || text_tokens.token || '>', gram_start, 4) as feature
        from text_tokens
        cross join lateral generate_series(1, length(text_tokens.token) - 1) as gram_start
        where text_tokens.token ~ '^[a-z0-9]+$'

    ),

    feature_weights as materialized (

        select
            text_features.text_id,
            text_features.feature,
            classifier_weights.weights

        from text_features
        inner join classifier_weights
            on text_features.feature = classifier_weights.feature

    ),

    label_sums as (

        select
            text_id,
            array[
                {%- for position in range(1, max_labels + 1) %}
                sum(weights[{{ position }}]){{ "," if not loop.last }}
                {%- endfor %}
            ] as weight_sums

        from feature_weights
        group by text_id

    ),

    label_scores as (

        select
            normalised_texts.text_id,
            classifier_labels.label,
            classifier_labels.label_order,
            classifier_labels.bias + coalesce(label_sums.weight_sums[classifier_labels.label_order], 0) as score

        from normalised_texts
        cross join classifier_labels
        left join label_sums
            on normalised_texts.text_id = label_sums.text_id

    ),

    ranked_labels as (

        select
            text_id,
            label,
            label_order,
            row_number() over (partition by text_id order by score desc, label_order) as label_rank,
            exp(((score - max(score) over (partition by text_id)) / 10000.0)::float8) as relative_likelihood

        from label_scores

    ),

    decisions as (

        select
            text_id,
            max(case when label_rank = 1 then label end) as label,
            max(case when label_rank = 1 then label_order end) as label_order,
            max(case when label_rank = 2 then label end) as runner_up,
            max(case when label_rank = 2 then label_order end) as runner_up_order,
            1 / sum(relative_likelihood) as probability

        from ranked_labels
        group by text_id

    ),

    contributions as (

        select
            feature_weights.text_id,
            feature_weights.feature,
            feature_weights.weights[decisions.label_order]
            - feature_weights.weights[decisions.runner_up_order] as contribution

        from feature_weights
        inner join decisions
            on feature_weights.text_id = decisions.text_id

    ),

    ranked_contributions as (

        select
            text_id,
            feature,
            contribution,
            row_number() over (partition by text_id order by contribution desc, feature collate "C") as contribution_rank

        from contributions
        where contribution > 0

    ),

    evidence as (

        select
            text_id,
            string_agg(
                feature || ' (+' || to_char(contribution / 10000.0, 'FM9999990.0000') || ')', '; '
                order by contribution_rank
            ) as evidence

        from ranked_contributions
        where contribution_rank <= 5
        group by text_id

    )

    select
        decisions.text_id,
        decisions.label,
        decisions.probability,
        decisions.runner_up,
        evidence.evidence,
        classifier_model.model_version

    from decisions
    cross join classifier_model
    left join evidence
        on decisions.text_id = evidence.text_id
{% endmacro %}
