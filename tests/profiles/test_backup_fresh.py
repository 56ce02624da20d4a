import uuid

import psycopg2
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from core.backup import restore
from tests.factories import MerchantFactory
from tests.profiles.factories import filled


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _connect(name: str):
    """A plain connection to the restored database, outside Django's test isolation."""
    params = connection.settings_dict
    target = psycopg2.connect(
        dbname=name,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
    )
    target.autocommit = True
    return target


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_equal_row_counts(tmp_path):
    # given data in every part of merchant information, backed up
    filled(MerchantFactory())
    path = tmp_path / "merchantops.dump"
    call_command("backup", str(path))
    fresh = f"restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {fresh}")
    try:
        # when it is restored into a new, empty database
        restore(path, database=fresh)
        # then every table has as many rows as the original, and encrypted values stay encrypted
        target = _connect(fresh)
        try:
            with target.cursor() as cursor, connection.cursor() as original:
                restored = _counts(cursor)
                assert restored == _counts(original)
                assert restored["profiles_profile"] == 1 and restored["merchants_merchant"] >= 1
                cursor.execute("SELECT bank_account_number FROM profiles_profile")
                assert cursor.fetchone()[0].startswith("gAAAA")
        finally:
            target.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {fresh}")
