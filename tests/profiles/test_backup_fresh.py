import uuid

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, connections

from core.backup import restore
from tests.factories import MerchantFactory
from tests.profiles.factories import filled


def _counts(alias: str) -> dict[str, int]:
    counts = {}
    with connections[alias].cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_equal_row_counts(tmp_path, settings):
    # given data in every part of merchant information, backed up
    merchant = MerchantFactory()
    filled(merchant)
    path = tmp_path / "merchantops.dump"
    call_command("backup", str(path))
    fresh = f"restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {fresh}")
    alias = "restore_target"
    connections.settings[alias] = {**connections.settings["default"], "NAME": fresh}
    try:
        # when it is restored into a new, empty database
        restore(path, alias=alias)
        # then every table has as many rows as the original
        assert _counts(alias) == _counts("default")
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT bank_account_number FROM profiles_profile")
            assert cursor.fetchone()[0].startswith("gAAAA")
    finally:
        connections[alias].close()
        del connections[alias]
        connections.settings.pop(alias, None)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {fresh}")
