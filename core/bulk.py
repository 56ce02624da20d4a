"""Writing many rows at once: PostgreSQL's COPY, which costs a fraction of INSERTs for thousands of rows,
and bulk_create elsewhere. For writes whose volume is the job (a nightly scoring run: a score, its components
and an audit entry per merchant)."""

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.db import connection, models


def _text(field: models.Field, value) -> str:
    """One value in COPY's text format: \\N for NULL, backslash, tab and line breaks escaped."""
    if value is None:
        return "\\N"
    if isinstance(field, models.JSONField):
        value = json.dumps(value, cls=field.encoder)
    elif isinstance(value, bool):
        value = "t" if value else "f"
    elif isinstance(value, datetime | date):
        value = value.isoformat()
    else:
        value = str(value)  # floats: the shortest repr, which PostgreSQL reads back exactly
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def rows_copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (values in `fields` order; a foreign key by its id) into `model`'s table."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        attnames = [field.attname for field in columns]
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=1000)
        return
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_text(field, value) for field, value in zip(columns, row, strict=True)))
        buffer.write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN", buffer)


def instances_copy(objs: Sequence[models.Model]) -> None:
    """Insert unsaved model instances (ids come from the table), every concrete field but the primary key."""
    if not objs:
        return
    model = type(objs[0])
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows_copy(model, [field.name for field in fields], ([getattr(obj, f.attname) for f in fields] for obj in objs))
