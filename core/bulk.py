"""Writing many rows at once: PostgreSQL's COPY, which costs a fraction of INSERTs for thousands of rows,
and bulk_create elsewhere. For writes whose volume is the job (a nightly scoring run: a score, its components
and an audit entry per merchant)."""

import io
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

NULL = "\\N"


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _converter(field: models.Field) -> Callable[[Any], str]:
    """How one column's values are written in COPY's text format (\\N for NULL; text escaped)."""
    if isinstance(field, models.JSONField):
        return lambda value: NULL if value is None else _escaped(json.dumps(value, cls=field.encoder))
    if isinstance(field, models.BooleanField):
        return lambda value: NULL if value is None else ("t" if value else "f")
    if isinstance(field, models.DateField):  # and DateTimeField
        return lambda value: NULL if value is None else value.isoformat()
    if isinstance(field.target_field if field.is_relation else field, models.IntegerField | models.FloatField):
        # numbers need no escaping; floats as the shortest repr, which PostgreSQL reads back exactly
        return lambda value: NULL if value is None else str(value)
    return lambda value: NULL if value is None else _escaped(str(value))


def rows_copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (values in `fields` order; a foreign key by its id) into `model`'s table."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        attnames = [field.attname for field in columns]
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=1000)
        return
    converters = [_converter(field) for field in columns]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join([convert(value) for convert, value in zip(converters, row, strict=True)]))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN", buffer)
