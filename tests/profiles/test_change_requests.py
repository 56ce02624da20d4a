from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail

from core.models import AuditEntry, Notification
from core.notifications import notification_email_send
from merchants.choices import KycStatus, MerchantStatus, RestrictionReason
from profiles import services
from profiles.models import ChangeRequest, DocumentReminder, Profile, ReverificationTask
from profiles.tasks import document_expiry_daily
from tests.factories import MerchantFactory, merchant_owner, staff
from tests.profiles.factories import BANK_ACCOUNT, filled, onboarded, proof

pytestmark = pytest.mark.django_db
NEW_ACCOUNT = "6228480000000000017"


def _bank_change(as_user, merchant, owner):
    base = f"/api/v1/merchants/{merchant.pk}/change-requests/"
    response = as_user(owner).post(
        base, {"changes": {"bank_account_number": NEW_ACCOUNT}, "reason": "New bank"}, format="json"
    )
    assert response.status_code == 201, response.content
    return base, response.json()


def test_a_bank_change_needs_proof_holds_payouts_and_applies_on_approval(as_user):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    filled(merchant)
    base, body = _bank_change(as_user, merchant, owner)
    # the diff is per field and masked
    assert body["status"] == "draft" and body["required_documents"] == ["bank_account_licence"]
    assert body["changes"] == [
        {"field": "bank_account_number", "before": "***************0123", "after": "***************0017"}
    ]
    url = f"{base}{body['id']}/"
    # submitting without the proof is refused and changes nothing
    response = as_user(owner).post(url + "submit/")
    assert response.status_code == 400 and ChangeRequest.objects.get().status == "draft"
    assert not Profile.objects.get(merchant=merchant).payout_hold
    proof(ChangeRequest.objects.get(), owner, "bank_account_licence")
    assert as_user(owner).post(url + "submit/").json()["status"] == "submitted"
    # pending: payout hold, and the merchant cannot approve its own request
    assert Profile.objects.get(merchant=merchant).payout_hold
    assert as_user(owner).post(url + "approve/").status_code == 403
    reviewer = staff("reviewer")
    response = as_user(reviewer).post(url + "request-more/", {"note": "Stamp missing", "internal_note": "looks odd"})
    assert response.json()["status"] == "more_info_requested"
    assert Profile.objects.get(merchant=merchant).payout_hold  # still pending
    assert as_user(owner).get(url).json()["internal_note"] == ""
    assert as_user(reviewer).get(url).json()["internal_note"] == "looks odd"
    proof(ChangeRequest.objects.get(), owner, "bank_account_licence")
    as_user(owner).post(url + "submit/")
    response = as_user(reviewer).post(url + "approve/", {"note": "OK"})
    assert response.json()["status"] == "approved"
    profile = Profile.objects.get(merchant=merchant)
    assert profile.bank_account_number == NEW_ACCOUNT and not profile.payout_hold
    assert [e.after for e in AuditEntry.objects.filter(action="profile.payout_hold").order_by("id")] == [
        {"payout_hold": True},
        {"payout_hold": False},
    ]
    # the merchant's history has the decision without the internal note
    history = as_user(owner).get(f"/api/v1/merchants/{merchant.pk}/history/").json()["results"]
    decisions = [e for e in history if e["action"] == "change_request.request_more"]
    assert decisions and "internal_note" not in decisions[0]["after"]
    staff_history = as_user(reviewer).get(f"/api/v1/merchants/{merchant.pk}/history/").json()["results"]
    assert [e for e in staff_history if e["action"] == "change_request.request_more"][0]["after"]["internal_note"]
    # deciding again is an illegal transition
    assert as_user(reviewer).post(url + "reject/", {"note": "x"}).status_code == 409


def test_rejection_and_withdrawal_release_the_hold(as_user):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    filled(merchant)
    base, body = _bank_change(as_user, merchant, owner)
    url = f"{base}{body['id']}/"
    proof(ChangeRequest.objects.get(), owner, "bank_account_licence")
    as_user(owner).post(url + "submit/")
    reviewer = staff("reviewer")
    assert as_user(reviewer).post(url + "reject/", {"note": ""}).status_code == 400  # a reason is needed
    assert as_user(reviewer).post(url + "reject/", {"note": "Name differs"}).json()["status"] == "rejected"
    profile = Profile.objects.get(merchant=merchant)
    assert profile.bank_account_number == BANK_ACCOUNT and not profile.payout_hold
    assert Notification.objects.filter(kind="profile.change_rejected", recipient=owner).exists()
    # another request, withdrawn while pending
    base, body = _bank_change(as_user, merchant, owner)
    proof(ChangeRequest.objects.get(pk=body["id"]), owner, "bank_account_licence")
    as_user(owner).post(f"{base}{body['id']}/submit/")
    assert Profile.objects.get(merchant=merchant).payout_hold
    assert as_user(owner).post(f"{base}{body['id']}/withdraw/").json()["status"] == "withdrawn"
    assert not Profile.objects.get(merchant=merchant).payout_hold


def test_bad_changes_are_refused_and_one_request_is_open_at_a_time(as_user):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    filled(merchant)
    base = f"/api/v1/merchants/{merchant.pk}/change-requests/"
    for changes in (
        {"legal_rep_id_number": "110105194912310021"},
        {"county_code": "440305"},
        {"uscc": "NOT-A-CODE"},
        {"contact_phone": "123"},
        {"categories": "apparel"},
        {"founded_on": 12},
    ):
        response = as_user(owner).post(base, {"changes": changes}, format="json")
        assert response.status_code == 400, (changes, response.content)
        assert response.json()["type"] == "validation_error"
    assert not ChangeRequest.objects.exists()
    assert as_user(owner).post(base, {"changes": {"legal_name": "New Name Co."}}, format="json").status_code == 201
    assert as_user(owner).post(base, {"changes": {"legal_name": "Other Co."}}, format="json").status_code == 400
    assert ChangeRequest.objects.count() == 1


def test_a_legal_name_change_applies_to_the_merchant(as_user):
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    change_request = services.change_request_create(
        merchant=merchant, actor=owner, changes={"legal_name": "Renamed Co., Ltd."}, reason="Renamed"
    )
    proof(change_request, owner, "business_licence")
    change_request = services.change_request_submit(change_request=change_request, actor=owner)
    assert change_request.due_at > change_request.submitted_at
    services.change_request_approve(change_request=change_request, reviewer=staff("reviewer"))
    merchant.refresh_from_db()
    assert merchant.legal_name == "Renamed Co., Ltd."
    assert AuditEntry.objects.filter(action="merchant.identity_change", merchant_id=merchant.pk).exists()


def test_reminders_go_once_expiry_restricts_and_a_renewal_lifts_it():
    today = date(2026, 3, 2)
    with time_machine.travel(today, tick=False):
        merchant, owner = onboarded(expires_on=today + timedelta(days=30))
    assert merchant.can_sell
    # 30 days before: one reminder, even when the task runs twice
    with time_machine.travel(today, tick=False):
        assert document_expiry_daily()["reminded"] > 0
        assert document_expiry_daily() == {"reminded": 0, "expired": 0}
    first = DocumentReminder.objects.count()
    assert set(DocumentReminder.objects.values_list("days_before", flat=True)) == {30}
    assert Notification.objects.filter(kind="profile.document_expiring", recipient=owner).count() == first
    # each e-mail leaves once, however often its task runs
    for notification in Notification.objects.filter(kind="profile.document_expiring"):
        notification_email_send(notification_id=notification.pk)
        notification_email_send(notification_id=notification.pk)
    assert len(mail.outbox) == first
    # 14 and 3 days before, once each
    for days in (14, 3):
        with time_machine.travel(today + timedelta(days=30 - days), tick=False):
            document_expiry_daily()
            document_expiry_daily()
    assert sorted(set(DocumentReminder.objects.values_list("days_before", flat=True))) == [3, 14, 30]
    assert DocumentReminder.objects.count() == first * 3
    # the day after expiry: KYC expired, restricted for document_expired
    with time_machine.travel(today + timedelta(days=31), tick=False):
        assert document_expiry_daily()["expired"] == 1
        assert document_expiry_daily()["expired"] == 0
        merchant.refresh_from_db()
        assert (merchant.kyc_status, merchant.status, merchant.restriction_reason) == (
            KycStatus.EXPIRED,
            MerchantStatus.RESTRICTED,
            RestrictionReason.DOCUMENT_EXPIRED,
        )
        expired_types = set(merchant.applications.get().documents.values_list("doc_type", flat=True))
        # renewing only some documents does not lift it
        change_request = services.change_request_create(merchant=merchant, actor=owner, changes={})
        for doc_type in sorted(expired_types)[:1]:
            proof(change_request, owner, doc_type)
        services.change_request_submit(change_request=change_request, actor=owner)
        services.change_request_approve(change_request=change_request, reviewer=staff("reviewer"))
        merchant.refresh_from_db()
        if len(expired_types) > 1:
            assert merchant.kyc_status == KycStatus.EXPIRED
            change_request = services.change_request_create(merchant=merchant, actor=owner, changes={})
            for doc_type in sorted(expired_types)[1:]:
                proof(change_request, owner, doc_type)
            services.change_request_submit(change_request=change_request, actor=owner)
            services.change_request_approve(change_request=change_request, reviewer=staff("reviewer"))
            merchant.refresh_from_db()
        assert (merchant.kyc_status, merchant.status, merchant.restriction_reason) == (
            KycStatus.APPROVED,
            MerchantStatus.ACTIVE,
            None,
        )
        assert merchant.can_sell
        assert document_expiry_daily() == {"reminded": 0, "expired": 0}


def test_a_renewal_request_needs_a_document():
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    change_request = services.change_request_create(merchant=merchant, actor=owner, changes={})
    with pytest.raises(Exception, match="renew"):
        services.change_request_submit(change_request=change_request, actor=owner)


def test_a_reverification_round_asks_matching_merchants_and_lists_the_overdue(as_user, client):
    today = date(2026, 3, 2)
    with time_machine.travel(today - timedelta(days=400), tick=False):
        old, old_owner = onboarded()
    with time_machine.travel(today, tick=False):
        recent, _owner = onboarded()
        ops = staff("ops_manager")
        response = as_user(ops).post(
            "/api/v1/reverification/rounds/",
            {
                "name": "Annual",
                "due_on": (today + timedelta(days=14)).isoformat(),
                "criteria": {"licence_issued_before": (today - timedelta(days=365)).isoformat()},
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["task_count"] == 1
        task = ReverificationTask.objects.get()
        assert task.merchant == old
        assert Notification.objects.filter(kind="profile.reverification", recipient=old_owner).exists()
    with time_machine.travel(today + timedelta(days=20), tick=False):
        overdue = as_user(ops).get("/api/v1/reverification/tasks/?overdue=true").json()
        assert [t["merchant"] for t in overdue["results"]] == [old.pk]
        client.force_login(ops)
        assert old.name in client.get("/staff/merchant-info/reverification/").content.decode()
        response = as_user(old_owner).post(f"/api/v1/reverification/tasks/{task.pk}/confirm/")
        assert response.json()["status"] == "confirmed"
        assert as_user(old_owner).post(f"/api/v1/reverification/tasks/{task.pk}/confirm/").status_code == 409
        assert as_user(ops).get("/api/v1/reverification/tasks/?overdue=true").json()["count"] == 0


def test_late_change_requests_are_flagged_by_the_sweep_and_by_a_late_decision(client):
    # given two submitted requests, due two working days after a Monday-morning submission
    reviewer = staff("reviewer")
    requests = []
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        for _ in range(2):
            merchant = MerchantFactory()
            owner = merchant_owner(merchant)
            change_request = services.change_request_create(
                merchant=merchant, actor=owner, changes={"legal_name": "Late Co., Ltd."}, reason="Renamed"
            )
            proof(change_request, owner, "business_licence")
            requests.append(services.change_request_submit(change_request=change_request, actor=owner))
    swept, decided_late = requests
    # when the sweep runs before and after the due time
    with time_machine.travel("2026-11-25 09:00 +0800", tick=False):
        assert services.change_request_sla_breaches_flag() == 0
    with time_machine.travel("2026-11-26 09:00 +0800", tick=False):
        assert services.change_request_sla_breaches_flag() == 2
        assert services.change_request_sla_breaches_flag() == 0
        services.change_request_approve(change_request=decided_late, reviewer=reviewer)
    # then both are flagged, and the staff queue counts them
    assert set(ChangeRequest.objects.values_list("sla_breached", flat=True)) == {True}
    client.force_login(reviewer)
    assert "2 decisions missed their SLA." in client.get("/staff/merchant-info/change-requests/").content.decode()


def test_a_decision_after_the_due_time_flags_itself():
    merchant = MerchantFactory()
    owner = merchant_owner(merchant)
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        change_request = services.change_request_create(
            merchant=merchant, actor=owner, changes={"legal_name": "Late Co., Ltd."}, reason="Renamed"
        )
        proof(change_request, owner, "business_licence")
        change_request = services.change_request_submit(change_request=change_request, actor=owner)
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        change_request = services.change_request_reject(
            change_request=change_request, reviewer=staff("reviewer"), note="Wrong licence"
        )
    assert change_request.sla_breached
