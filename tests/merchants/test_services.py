import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

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


def test_many_merchants_move_at_once_each_checked_and_audited_with_its_own_reason(django_assert_num_queries):
    active = [MerchantFactory(status=MerchantStatus.ACTIVE) for _ in range(3)]
    suspended = MerchantFactory(status=MerchantStatus.SUSPENDED)
    reasons = {m.pk: f"reason {n}" for n, m in enumerate([*active, suspended])}
    # one savepoint, one locked read, one update, one audit insert, one release, whatever the number
    with django_assert_num_queries(5):
        moved = services.merchants_transition(
            reasons=reasons,
            action="merchant.restrict",
            status=MerchantStatus.RESTRICTED,
            actor=None,
            only=Q(status=MerchantStatus.ACTIVE),
            restriction_reason=RestrictionReason.CREDIT,
        )
    assert moved == [m.pk for m in active]
    assert set(Merchant.objects.filter(pk__in=moved).values_list("status", "restriction_reason")) == {
        (MerchantStatus.RESTRICTED, RestrictionReason.CREDIT)
    }
    suspended.refresh_from_db()
    assert suspended.status == MerchantStatus.SUSPENDED
    entries = {e.merchant_id: e for e in AuditEntry.objects.filter(action="merchant.restrict")}
    assert set(entries) == set(moved)
    first = entries[active[0].pk]
    assert first.reason == "reason 0"
    assert (first.before["status"], first.after["status"]) == (MerchantStatus.ACTIVE, MerchantStatus.RESTRICTED)
    assert first.after["restriction_reason"] == RestrictionReason.CREDIT


def test_a_move_the_state_machine_forbids_moves_no_one():
    pending = MerchantFactory()
    active = MerchantFactory(status=MerchantStatus.ACTIVE)
    assert pending.status != MerchantStatus.ACTIVE
    with pytest.raises(InvalidTransition):
        services.merchants_transition(
            reasons={active.pk: "x", pending.pk: "x"}, action="merchant.restrict",
            status=MerchantStatus.RESTRICTED, actor=None,
        )  # fmt: skip
    assert Merchant.objects.get(pk=active.pk).status == MerchantStatus.ACTIVE
    assert not AuditEntry.objects.filter(action="merchant.restrict").exists()
