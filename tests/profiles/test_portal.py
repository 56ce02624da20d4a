import pytest

from profiles.models import ChangeRequest
from tests.factories import MerchantFactory, merchant_owner
from tests.onboarding.factories import pdf
from tests.profiles.factories import filled

pytestmark = pytest.mark.django_db


def test_a_merchant_asks_for_a_change_with_proof_from_the_portal(client):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    filled(merchant)
    client.force_login(owner)
    base = f"/portal/merchant-info/{merchant.pk}/"
    response = client.post(base + "change-requests/new/", {"bank_account_number": "6228480000000000017"})
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/change-requests/{change_request.pk}/")
    page = client.get(response.url).content.decode()
    assert "***************0017" in page and "6228480000000000017" not in page
    client.post(response.url, {"doc_type": "bank_account_licence", "number": "J1", "file": pdf()})
    client.post(response.url, {"action": "submit"})
    change_request.refresh_from_db()
    assert change_request.status == "submitted"
    assert "Payouts are on hold" in client.get(base).content.decode()
    assert "change_request.submit" in client.get(base + "history/").content.decode()
    assert client.get(base + "change-requests/").status_code == 200


def test_another_merchant_cannot_open_the_pages(client):
    merchant = MerchantFactory()
    client.force_login(merchant_owner(MerchantFactory()))
    for suffix in ("", "change-requests/", "history/", "change-requests/new/"):
        assert client.get(f"/portal/merchant-info/{merchant.pk}/{suffix}").status_code == 404


def test_seed_demo_fills_profiles_and_a_pending_change_and_runs_again():
    from django.core.management import call_command

    from profiles.models import Profile

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert Profile.objects.exclude(bank_account_index="").count() == 2
    pending = ChangeRequest.objects.get(status="submitted")
    assert pending.merchant.profile.payout_hold
