import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from core.models import AuditEntry
from merchants.models import Merchant
from tests.factories import MerchantFactory


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_the_data_back(tmp_path):
    # given a merchant, backed up
    kept = MerchantFactory(name="Kept")
    path = tmp_path / "merchantops.dump"
    call_command("backup", str(path))
    assert path.stat().st_size > 0
    # when data changes and the backup is restored
    MerchantFactory(name="Added later")
    Merchant.objects.filter(pk=kept.pk).update(name="Renamed")
    call_command("restore", str(path), "--yes")
    # then the database is as it was
    assert list(Merchant.objects.values_list("name", flat=True)) == ["Kept"]
    if connection.vendor == "postgresql":
        # the audit guard came back with the schema
        entry = AuditEntry.objects.create(
            actor_type="system", actor_label="s", action="a", object_type="t", object_id="1"
        )
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()


def test_restore_of_a_missing_file_fails_cleanly(tmp_path):
    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "missing.dump"), "--yes")
