"""Long lists of ids or keys, cut into as many as one query takes."""

from django.db import connection


def batched(values, per_item=1, other_parameters=1):
    """The values in lists that fit one query, each value taking per_item parameters
    beside other_parameters: SQLite as some build it takes 32,766 parameters, as others
    999 (five years of history are 26,050 sets)."""
    limit = connection.features.max_query_params or 10_000
    size = max(1, (limit - other_parameters) // per_item)
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
