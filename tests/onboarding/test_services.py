"""Onboarding services: the rules each transition enforces, the checks stored, SLA clocks, notifications."""

import threading
from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.access import REVIEWER
from core.errors import Conflict, InvalidTransition
from core.models import AuditEntry, Notification
from merchants.choices import KycStatus, MerchantStatus
from onboarding import services, sla
from onboarding.choices import ItemDecision
from onboarding.models import Application, BlacklistEntry, ReviewCheck
from tests.factories import MerchantFactory, staff
from tests.onboarding.factories import ApplicationFactory, accept_agreements, draft, in_review, ready, upload_required

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def results(application):
    return {(c.code, c.subject): c.result for c in ReviewCheck.objects.filter(application=application)}


def test_start_creates_a_pending_merchant_owned_by_the_user_and_a_draft():
    application = draft()
    merchant = application.merchant
    assert application.status == "draft"
    assert merchant.status == MerchantStatus.PENDING and merchant.kyc_status == KycStatus.NOT_SUBMITTED
    assert list(merchant.members.all()) == [application.created_by]
    assert [e.to_status for e in application.events.all()] == ["draft"]


def test_one_open_application_per_merchant_is_enforced_by_the_database():
    application = draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(merchant=application.merchant)


def test_a_decided_merchant_may_apply_again():
    application = in_review()
    services.application_reject(application=application, reviewer=staff(REVIEWER), reason_code="other", note="No.")
    again = ApplicationFactory(merchant=application.merchant)
    assert again.pk


def test_submitting_needs_the_current_agreements():
    application = draft()
    upload_required(application)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, user=application.created_by)
    assert "agreements" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == "draft" and application.submitted_at is None


def test_a_new_agreement_version_must_be_accepted_before_resubmitting():
    application = in_review()
    services.application_request_changes(
        application=application, reviewer=staff(REVIEWER), items=["company"], note="Fix the name."
    )
    services.agreement_publish(kind="service", title="Platform service agreement", body="v2", actor=None)
    with pytest.raises(ValidationError):
        services.application_submit(application=application, user=application.created_by)


def test_submission_sets_the_sla_and_schedules_the_checks_on_commit(django_capture_on_commit_callbacks):
    application = ready()
    with (
        mock.patch("onboarding.tasks.application_checks_run.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.application_submit(application=application, user=application.created_by)
    delay.assert_called_once_with(application_id=application.pk)
    application.refresh_from_db()
    assert application.status == "submitted" and application.submission_count == 1
    assert application.due_at == sla.decision_due(application.submitted_at)
    assert application.merchant.kyc_status == KycStatus.PENDING_REVIEW


def test_every_check_passing_puts_the_application_on_the_fast_track():
    application = in_review()
    assert application.status == "in_review" and application.fast_track
    assert set(results(application).values()) == {"pass"}
    assert ("uscc", "") in results(application)
    assert [e.to_status for e in application.events.all()] == ["draft", "submitted", "auto_checking", "in_review"]


def test_missing_expiring_duplicate_and_blacklisted_items_fail_the_checks():
    # given another merchant whose application holds the same legal representative ID
    other = draft()
    upload_required(other, numbers={"legal_rep_id": "310101198001010011"})
    # and a blacklisted bank account
    BlacklistEntry.objects.create(kind="bank_account", value="ACC-9", reason="fraud", source="court records")
    # when an applicant for food (which needs a food licence) submits without it, expiring soon
    application = draft(categories=("food_beverage",))
    upload_required(
        application,
        numbers={"legal_rep_id": "310101198001010011", "bank_account_licence": "ACC-9"},
        expires_on=timezone.localdate() + timedelta(days=10),
        skip=("food_business_licence",),
    )
    accept_agreements(application)
    services.application_submit(application=application, user=application.created_by, schedule_checks=False)
    services.application_checks_run(application_id=application.pk)
    # then
    found = results(application)
    assert found[("required_documents", "")] == "fail"
    assert found[("duplicates", "legal_rep_id")] == "fail"
    assert found[("blacklist", "bank_account")] == "fail"
    assert found[("document_dates", "business_licence")] == "warn"
    application.refresh_from_db()
    assert application.status == "in_review" and not application.fast_track


def test_running_the_checks_again_gives_the_same_rows():
    application = in_review()
    before = list(ReviewCheck.objects.filter(application=application).order_by("pk").values())
    assert services.application_checks_run(application_id=application.pk)
    after = list(ReviewCheck.objects.filter(application=application).order_by("pk").values())
    assert after == before and len(before) >= 8


def test_checks_on_a_draft_do_nothing():
    application = ready()
    assert services.application_checks_run(application_id=application.pk) is False
    assert not ReviewCheck.objects.filter(application=application).exists()


def test_approval_activates_the_merchant_and_notifies_its_members(django_capture_on_commit_callbacks, eager_tasks):
    application = in_review()
    reviewer = staff(REVIEWER)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, reviewer=reviewer, note="Welcome")
    application.refresh_from_db()
    merchant = application.merchant
    merchant.refresh_from_db()
    assert application.status == "approved" and application.first_decision == "approved"
    assert merchant.status == "active" and merchant.kyc_status == "approved" and merchant.can_sell
    [notification] = Notification.objects.all()
    assert notification.recipient == application.created_by and notification.kind == "onboarding.approved"
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [application.created_by.email]
    actions = set(AuditEntry.objects.filter(merchant_id=merchant.pk).values_list("action", flat=True))
    assert {"application.approve", "merchant.activate"} <= actions


def test_the_email_task_sends_once():
    from core.notifications import notification_email_send, notify

    user = staff(REVIEWER)
    [notification] = notify(recipients=[user, user], kind="k", title="T", body="B")
    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_approving_with_a_rejected_required_item_needs_an_audited_override():
    application = in_review()
    reviewer = staff(REVIEWER)
    services.review_item_decide(
        application=application, reviewer=reviewer, item="business_licence", decision="rejected", note="Blurred"
    )
    with pytest.raises(ValidationError) as error:
        services.application_approve(application=application, reviewer=reviewer)
    assert "override_reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == "in_review"
    assert not AuditEntry.objects.filter(action="application.approve").exists()

    services.application_approve(application=application, reviewer=reviewer, override_reason="Original seen on site")
    override = AuditEntry.objects.get(action="application.override")
    assert override.reason == "Original seen on site" and override.after == {"rejected_items": ["business_licence"]}


def test_reject_needs_a_known_reason_and_an_explanation():
    application = in_review()
    reviewer = staff(REVIEWER)
    with pytest.raises(ValidationError):
        services.application_reject(application=application, reviewer=reviewer, reason_code="nope", note="x")
    with pytest.raises(ValidationError):
        services.application_reject(application=application, reviewer=reviewer, reason_code="other", note=" ")
    services.application_reject(
        application=application, reviewer=reviewer, reason_code="blacklisted", note="Listed by the court"
    )
    application.refresh_from_db()
    assert application.status == "rejected" and application.rejection_reason == "blacklisted"
    assert application.merchant.kyc_status == "rejected"


def test_request_changes_names_items_and_resubmission_keeps_what_was_accepted():
    application = in_review()
    reviewer = staff(REVIEWER)
    services.review_item_decide(application=application, reviewer=reviewer, item="company", decision="accepted")
    with pytest.raises(ValidationError):
        services.application_request_changes(application=application, reviewer=reviewer, items=["nope"], note="x")
    services.application_request_changes(
        application=application, reviewer=reviewer, items=["legal_rep_id"], note="Upload the back side too."
    )
    application.refresh_from_db()
    assert application.status == "changes_requested"
    items = {r.item: r.decision for r in application.review_items.all()}
    assert items == {"company": ItemDecision.ACCEPTED, "legal_rep_id": ItemDecision.SUPPLEMENT}
    assert Notification.objects.get().kind == "onboarding.changes_requested"

    services.application_submit(application=application, user=application.created_by, schedule_checks=False)
    application.refresh_from_db()
    assert application.status == "submitted" and application.submission_count == 2
    assert {r.item for r in application.review_items.all()} == {"company"}


def test_a_claimed_application_belongs_to_its_reviewer():
    application = in_review()
    first, second = staff(REVIEWER), staff(REVIEWER)
    services.application_claim(application=application, reviewer=first)
    with pytest.raises(Conflict):
        services.application_claim(application=application, reviewer=second)
    with pytest.raises(Conflict):
        services.application_approve(application=application, reviewer=second)
    services.application_assign(application=application, assignee=second, actor=first)
    services.application_approve(application=application, reviewer=second)


def test_only_a_reviewer_can_be_assigned():
    application = in_review()
    with pytest.raises(ValidationError):
        services.application_assign(application=application, assignee=staff("support_agent"), actor=None)


def test_the_applicant_cannot_edit_while_in_review():
    application = in_review()
    with pytest.raises(InvalidTransition):
        services.application_update(application=application, user=application.created_by, store_name="New")
    application.refresh_from_db()
    assert application.store_name == "Example Store"


def test_editing_the_draft_updates_the_pending_merchant_too():
    application = draft()
    taken = MerchantFactory()
    with pytest.raises(ValidationError):
        services.application_update(application=application, user=application.created_by, uscc=taken.uscc)
    services.application_update(
        application=application, user=application.created_by, legal_name="New Name Co.", store_name="New Store"
    )
    application.merchant.refresh_from_db()
    assert application.merchant.legal_name == "New Name Co." and application.merchant.name == "New Store"


# --- SLA -----------------------------------------------------------------------------------------


def local(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (local(2026, 11, 23, 10, 0), local(2026, 11, 25, 10, 0)),  # Monday -> Wednesday
        (local(2026, 11, 26, 15, 30), local(2026, 11, 30, 15, 30)),  # Thursday -> Monday
        (local(2026, 11, 27, 9, 0), local(2026, 12, 1, 9, 0)),  # Friday -> Tuesday
        (local(2026, 11, 28, 12, 0), local(2026, 12, 2, 0, 0)),  # Saturday counts from Monday 00:00
    ],
)
def test_the_decision_is_due_two_working_days_later(submitted, due):
    assert sla.decision_due(submitted) == due


def test_the_sla_is_configurable(settings):
    settings.REVIEW_SLA_WORKING_DAYS = 5
    assert sla.decision_due(local(2026, 11, 23, 10, 0)) == local(2026, 11, 30, 10, 0)


def test_overdue_applications_are_flagged_and_a_late_decision_counts_as_a_breach():
    in_review(), in_review()
    # when the clock passes the due time of both
    later = Application.objects.order_by("-due_at").first().due_at + timedelta(minutes=1)
    assert services.review_sla_breaches_flag(now=later) == 2
    assert services.review_sla_breaches_flag(now=later) == 0
    assert Application.objects.filter(sla_breached=True).count() == 2
    # and a decision taken after the due time marks the breach itself
    fresh = in_review()
    with mock.patch("onboarding.services.timezone.now", return_value=fresh.due_at + timedelta(hours=1)):
        services.application_approve(application=fresh, reviewer=staff(REVIEWER))
    fresh.refresh_from_db()
    assert fresh.sla_breached and fresh.first_decision_at > fresh.due_at


# --- Concurrency ---------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_make_one_transition(as_user):
    """Two reviewers press approve together: one wins, the other is told it is too late (409)."""
    application = in_review()
    clients = [as_user(staff(REVIEWER)), as_user(staff(REVIEWER))]
    barrier = threading.Barrier(2)
    responses = {}

    def approve(index):
        try:
            barrier.wait(10)
            responses[index] = clients[index].post(
                f"/api/v1/onboarding/applications/{application.pk}/approve/", {}, format="json"
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    codes = sorted(r.status_code for r in responses.values())
    assert codes == [200, 409], [r.content for r in responses.values()]
    application.refresh_from_db()
    assert application.status == "approved"
    assert AuditEntry.objects.filter(action="application.approve", object_id=str(application.pk)).count() == 1
    assert AuditEntry.objects.filter(action="merchant.activate", merchant_id=application.merchant_id).count() == 1
    assert Notification.objects.filter(merchant_id=application.merchant_id).count() == 1
    assert application.events.filter(to_status="approved").count() == 1


def test_a_rejected_company_applies_again_as_the_same_merchant_but_only_once_at_a_time():
    from merchants.models import Category

    first = in_review()
    services.application_reject(application=first, reviewer=staff(REVIEWER), reason_code="other", note="Unclear")
    owner, uscc = first.created_by, first.merchant.uscc
    again = services.application_start(
        user=owner,
        legal_name="Renamed Co.",
        uscc=uscc,
        store_name="Second Try",
        categories=list(Category.objects.filter(code="toys_games")),
        contact_name="Li",
        contact_phone="13800000000",
    )
    assert again.merchant_id == first.merchant_id and again.status == "draft"
    again.merchant.refresh_from_db()
    assert again.merchant.legal_name == "Renamed Co."
    assert list(again.merchant.categories.values_list("code", flat=True)) == ["toys_games"]
    with pytest.raises(ValidationError):
        services.application_start(
            user=owner,
            legal_name="X",
            uscc=uscc,
            store_name="Third",
            categories=[],
            contact_name="Li",
            contact_phone="13800000000",
        )
    # and somebody else cannot take over the company's code
    with pytest.raises(ValidationError):
        draft(uscc=uscc)


def test_check_details_are_shown_in_the_readers_words():
    from django.utils import translation

    application = draft(categories=("medical_devices",))
    upload_required(application, skip=("medical_device_licence",))
    accept_agreements(application)
    services.application_submit(application=application, user=application.created_by, schedule_checks=False)
    services.application_checks_run(application_id=application.pk)
    check = ReviewCheck.objects.get(application=application, code="required_documents")
    assert check.detail == "Missing: Medical device business licence."
    with translation.override("zh-hans"):
        assert check.detail == "缺少：医疗器械经营许可证。"
