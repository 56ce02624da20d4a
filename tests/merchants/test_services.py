import pytest
from django.core.exceptions import ValidationError

from core.errors import InvalidTransition
from core.models import AuditEntry
from merchants import services
from merchants.choices import KycStatus, MerchantStatus, RestrictionReason
from merchants.models import Merchant
from tests.factories import MerchantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_can_sell_needs_active_status_approved_kyc_and_no_restriction():
    merchant = MerchantFactory()
    assert not merchant.can_sell
    merchant = services.merchant_activate(merchant=merchant, actor=None)
    assert merchant.can_sell
    assert list(Merchant.objects.can_sell()) == [merchant]
    merchant = services.merchant_restrict(
        merchant=merchant, actor=None, reason="late shipments", restriction_reason=RestrictionReason.CREDIT
    )
    assert merchant.status == MerchantStatus.RESTRICTED and merchant.kyc_status == KycStatus.APPROVED
    assert not merchant.can_sell
    assert not Merchant.objects.can_sell().exists()


def test_every_transition_writes_before_and_after():
    merchant = services.merchant_activate(merchant=MerchantFactory(), actor=None)
    services.merchant_suspend(merchant=merchant, actor=None, reason="fraud")
    entry = AuditEntry.objects.filter(action="merchant.suspend").get()
    assert entry.before == {"status": "active", "kyc_status": "approved", "restriction_reason": None}
    assert entry.after == {"status": "suspended", "kyc_status": "approved", "restriction_reason": "manual"}
    assert entry.actor_type == "system" and entry.reason == "fraud"


def test_a_closed_merchant_cannot_be_reactivated():
    merchant = MerchantFactory(status=MerchantStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        services.merchant_activate(merchant=merchant, actor=None)
    merchant.refresh_from_db()
    assert merchant.status == MerchantStatus.CLOSED


def test_suspension_needs_a_reason():
    merchant = services.merchant_activate(merchant=MerchantFactory(), actor=None)
    with pytest.raises(ValidationError):
        services.merchant_suspend(merchant=merchant, actor=None, reason="  ")
    merchant.refresh_from_db()
    assert merchant.status == MerchantStatus.ACTIVE


def test_membership_add_is_idempotent():
    merchant, user = MerchantFactory(), UserFactory()
    first = services.membership_add(merchant=merchant, user=user, role="owner", actor=None)
    again = services.membership_add(merchant=merchant, user=user, role="owner", actor=None)
    assert first.pk == again.pk
    assert AuditEntry.objects.filter(action="membership.add").count() == 1


def test_registering_a_taken_username_fails():
    UserFactory(username="taken")
    with pytest.raises(ValidationError):
        services.merchant_user_register(username="TAKEN", password="a-Strong-pass-2026", email="x@example.com")
