"""Writing many rows at once: PostgreSQL's COPY, which costs a fraction of INSERTs for thousands of rows,
and bulk_create elsewhere. For writes whose volume is the job (a nightly scoring run: a score, its components
and an audit entry per merchant)."""

import csv
import io
import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


class _Null:
    """Written unquoted as \\N (csv counts it a number, as it converts to one): COPY's NULL marker."""

    def __str__(self) -> str:
        return "\\N"

    def __float__(self) -> float:
        return 0.0


NULL = _Null()


def rows_copy(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert `rows` (values in `fields` order; a foreign key by its id) into `model`'s table."""
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        attnames = [field.attname for field in columns]
        model.objects.bulk_create([model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=1000)
        return
    # CSV with every text quoted, so only the unquoted NULL marker is NULL; numbers go as Python writes them
    # (floats as the shortest repr, which PostgreSQL reads back exactly); JSON and dates become text first.
    encode = [
        (lambda value, field=field: json.dumps(value, cls=field.encoder))
        if isinstance(field, models.JSONField)
        else (lambda value: value.isoformat())
        if isinstance(field, models.DateField)
        else None
        for field in columns
    ]
    if any(encode):
        rows = (
            [
                NULL if value is None else convert(value) if convert else value
                for convert, value in zip(encode, row, strict=True)
            ]
            for row in rows
        )
    else:
        rows = ([NULL if value is None else value for value in row] for row in rows)
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def objects_copy(objects: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model by `rows_copy`: for rows whose ids nobody reads back (audit entries
    of a scoring run), where bulk_create's INSERTs cost several times as much."""
    if not objects:
        return
    fields = [field for field in objects[0]._meta.concrete_fields if not field.primary_key]
    rows_copy(
        type(objects[0]),
        [field.name for field in fields],
        ([getattr(obj, field.attname) for field in fields] for obj in objects),
    )
