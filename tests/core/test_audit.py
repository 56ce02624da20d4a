import pytest
from django.db import DatabaseError, IntegrityError, transaction

from core.access import PLATFORM_ADMIN, RISK_OFFICER
from core.models import AuditEntry
from merchants import services
from tests.factories import MerchantFactory, staff

pytestmark = pytest.mark.django_db


def test_the_audit_entry_is_written_in_the_same_transaction_as_the_change():
    merchant = services.merchant_activate(merchant=MerchantFactory(), actor=None)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.merchant_suspend(merchant=merchant, actor=None, reason="x")
        raise RuntimeError("the caller's transaction fails after the service ran")
    merchant.refresh_from_db()
    assert merchant.status == "active"
    assert AuditEntry.objects.count() == before


def test_entries_cannot_be_changed_or_deleted_through_the_model():
    entry = AuditEntry.objects.create(
        actor_type="system", actor_label="system", action="x", object_type="t", object_id="1"
    )
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.services
def test_postgresql_refuses_updates_and_deletes_of_entries():
    entry = AuditEntry.objects.create(
        actor_type="system", actor_label="system", action="x", object_type="t", object_id="1"
    )
    for statement in (
        lambda: AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten"),
        lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            statement()
    entry.refresh_from_db()
    assert entry.reason == ""


def test_staff_browse_the_log_in_the_admin_filtered_by_merchant_and_action(client):
    admin = staff(PLATFORM_ADMIN)
    one, two = MerchantFactory(), MerchantFactory()
    services.merchant_activate(merchant=one, actor=admin)
    services.merchant_activate(merchant=two, actor=admin)
    client.force_login(staff(RISK_OFFICER))
    page = client.get("/admin/core/auditentry/", {"merchant_id": one.pk, "action": "merchant.activate"})
    assert page.status_code == 200
    assert list(page.context["cl"].queryset.values_list("merchant_id", flat=True)) == [one.pk]


def test_no_one_can_add_change_or_delete_entries_in_the_admin(client):
    entry = AuditEntry.objects.create(
        actor_type="system", actor_label="system", action="x", object_type="t", object_id="1"
    )
    client.force_login(staff(PLATFORM_ADMIN))
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"reason": "rewritten"})
    entry.refresh_from_db()
    assert entry.reason == ""
