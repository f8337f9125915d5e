{#
    The column's timestamp is not earlier than reference_column's on the same row (nulls pass):
    e.g. a first response never precedes the contact it answers.
#}
{% test not_before(model, column_name, reference_column) %}

select *
from {{ model }}
where {{ column_name }} < {{ reference_column }}

{% endtest %}
