import pytest
from django.core.management import CommandError, call_command

from core.models import ApiKey, AuditEntry, hash_api_key
from tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db


def test_create_api_key_prints_the_key_once_and_stores_only_its_hash(capsys, api):
    merchant = MerchantFactory()
    call_command("create_api_key", "erp", "--scopes", "orders:write,read", "--merchant", str(merchant.pk))
    raw = capsys.readouterr().out.strip()
    key = ApiKey.objects.get(name="erp")
    assert key.hashed_key == hash_api_key(raw) and raw not in key.hashed_key
    assert key.scopes == ["orders:write", "read"] and key.merchant == merchant
    assert AuditEntry.objects.filter(action="api_key.create", object_id=str(key.pk)).exists()
    # the key authenticates and is scoped to its merchant
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    body = api.get("/api/v1/merchants/").json()
    assert [m["id"] for m in body["results"]] == [merchant.pk]
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_unknown_scopes_and_merchants_are_refused():
    with pytest.raises(CommandError):
        call_command("create_api_key", "erp", "--scopes", "orders:delete")
    with pytest.raises(CommandError):
        call_command("create_api_key", "erp", "--scopes", "read", "--merchant", "999999")
    assert not ApiKey.objects.exists()


def test_a_revoked_key_is_refused(api, capsys):
    from core.services import api_key_revoke

    call_command("create_api_key", "storefront", "--scopes", "read")
    raw = capsys.readouterr().out.strip()
    api_key_revoke(key=ApiKey.objects.get(name="storefront"), actor=None, reason="leaked")
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert api.get("/api/v1/merchants/").status_code == 401


def test_a_key_cannot_use_staff_actions(as_key):
    merchant = MerchantFactory()
    response = as_key(*["orders:write", "read"]).post(f"/api/v1/merchants/{merchant.pk}/suspend/", {"reason": "x"})
    assert response.status_code == 403
