"""Long lists of ids or keys, cut into as many as one query takes; many rows inserted in
one statement; values read back from a written-out statement as the ORM reads them."""

from django.db import connection, connections, models, router


def batched(values, per_item=1, other_parameters=1):
    """The values in lists that fit one query, each value taking per_item parameters
    beside other_parameters: SQLite as some build it takes 32,766 parameters, as others
    999 (five years of history are 26,050 sets)."""
    limit = connection.features.max_query_params or 10_000
    size = max(1, (limit - other_parameters) // per_item)
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_rows(model, rows):
    """INSERT rows ({attname: value} for every column but an automatic id) with one
    executemany.

    bulk_create built an instance and the SQL of every batch value by value: 75 % of a
    large import's time (bench/RESULTS.md). Like bulk_create, nothing here sends a
    signal or calls save(); a set's number columns come from set_numbers().
    """
    if not rows:
        return
    database = connections[router.db_for_write(model)]  # not the proxy: 400,000 lookups
    fields = [field for field in model._meta.concrete_fields if field is not model._meta.auto_field]
    if {field.attname for field in fields} != rows[0].keys():
        raise ValueError(f"The rows and the {model.__name__} model list different columns.")
    # Text, numbers and booleans go as they are; keys, decimals and times need the
    # database's own form (a UUID is hex text on SQLite, native on PostgreSQL).
    plain = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    preparers = [
        (field.attname, None if isinstance(field, (*plain, models.ForeignKey)) else field)
        for field in fields
    ]
    values = [
        [
            row[name] if field is None else field.get_db_prep_save(row[name], database)
            for name, field in preparers
        ]
        for row in rows
    ]
    quote = database.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with database.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
            values,
        )


def column_reader(model, name):
    """The ORM's own reading of a column's value as the database gives it (SQLite's
    number as a Decimal of the field's places, a JSON text decoded)."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)

    def read(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return read
