"""Move every encrypted value to the newest key in FIELD_ENCRYPTION_KEYS, in chunks, safe to run again."""

from dataclasses import dataclass

from django.apps import apps
from django.db import connections, transaction

from core import crypto
from core.fields import EncryptedTextField


@dataclass
class FieldReport:
    label: str
    examined: int = 0
    rewritten: int = 0


def encrypted_fields() -> list[tuple[type, EncryptedTextField]]:
    """Every concrete EncryptedTextField of every installed model."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


def reencrypt_field(model, field, *, chunk_size: int = 500, alias: str = "default") -> FieldReport:
    """Raw tokens are read and written with SQL so the field's own encryption is not applied twice."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    report = FieldReport(label=f"{model._meta.label}.{field.name}")
    last = None
    while True:
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            where = f"{column} IS NOT NULL AND {column} <> ''"
            params: list = []
            if last is not None:
                where += f" AND {pk} > %s"
                params.append(last)
            select = f"SELECT {pk}, {column} FROM {table} WHERE {where} ORDER BY {pk} LIMIT %s"  # noqa: S608
            cursor.execute(select, [*params, chunk_size])
            rows = cursor.fetchall()
            if not rows:
                return report
            stale = [(crypto.rotate(token), key) for key, token in rows if not crypto.is_current(token)]
            if stale:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", stale)  # noqa: S608
            report.examined += len(rows)
            report.rewritten += len(stale)
            last = rows[-1][0]


def reencrypt_all(*, chunk_size: int = 500) -> list[FieldReport]:
    return [reencrypt_field(model, field, chunk_size=chunk_size) for model, field in encrypted_fields()]
