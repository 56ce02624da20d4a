"""Disputes (stages, defaults on silence, arbitration by different staff, litigation, payout hold) and
the SLA clocks and prevention notices, with frozen time."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints import selectors, services
from complaints.choices import ComplaintStatus, DisputeOutcome, DisputeStage, Outcome, Party
from complaints.models import Complaint, ComplaintRateAlert, DisputeDocument
from complaints.uploads import check_upload
from core.errors import Conflict
from tests.complaints.factories import agent, investigating, make_complaint
from tests.factories import merchant_owner
from tests.orders import factories as order_factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def open_dispute(handler=None, amount=None):
    handler = handler or agent()
    complaint = investigating(handler=handler)
    return services.complaint_escalate(complaint=complaint, reason="buyer disagrees", actor=None, amount=amount)


def test_escalation_opens_a_dispute_and_holds_the_amount_on_the_merchant():
    dispute = open_dispute(amount=Decimal("15.00"))
    assert dispute.stage == DisputeStage.NEGOTIATION and dispute.stage_due_at > timezone.now()
    assert dispute.complaint.status == ComplaintStatus.ESCALATED
    assert selectors.payout_held(merchant_id=dispute.merchant_id) == Decimal("15.00")
    assert dispute.merchant.payout_holds.get().amount == Decimal("15.00")


def test_the_disputed_amount_cannot_exceed_the_order():
    complaint = investigating()
    with pytest.raises(ValidationError):
        services.complaint_escalate(complaint=complaint, reason="x", actor=None, amount=Decimal("1000"))
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING


def test_a_silent_merchant_loses_the_negotiation_by_default():
    dispute = open_dispute()
    # before the deadline nothing happens
    assert services.disputes_apply_defaults() == 0
    with time_machine.travel(dispute.stage_due_at + timedelta(minutes=1)):
        assert services.disputes_apply_defaults() == 1
    dispute.refresh_from_db()
    assert (dispute.stage, dispute.outcome, dispute.decided_by_default) == (
        DisputeStage.DECIDED,
        DisputeOutcome.COMPLAINANT,
        True,
    )
    assert dispute.award_amount == dispute.amount
    complaint = Complaint.objects.get(pk=dispute.complaint_id)
    assert (complaint.status, complaint.outcome) == (ComplaintStatus.RESOLVED, Outcome.UPHELD)
    assert complaint.decided_at is not None
    assert selectors.payout_held(merchant_id=dispute.merchant_id) == 0


def test_a_merchant_that_responded_goes_to_mediation_at_the_deadline():
    dispute = open_dispute()
    services.dispute_respond(dispute=dispute, position="the parcel was delivered", actor=None)
    with time_machine.travel(dispute.stage_due_at + timedelta(minutes=1)):
        services.disputes_apply_defaults()
    dispute.refresh_from_db()
    assert dispute.stage == DisputeStage.MEDIATION and dispute.outcome == ""


def test_silence_on_a_mediation_proposal_is_acceptance():
    mediator = agent()
    dispute = services.dispute_mediate(dispute=open_dispute(), actor=mediator)
    services.dispute_propose(
        dispute=dispute, terms="half back", outcome=DisputeOutcome.SPLIT, award_amount=Decimal("5.00"), actor=mediator
    )
    services.dispute_answer(dispute=dispute, party=Party.MERCHANT, accept=True, actor=None)
    dispute.refresh_from_db()
    assert dispute.stage == DisputeStage.MEDIATION
    with time_machine.travel(dispute.stage_due_at + timedelta(minutes=1)):
        services.disputes_apply_defaults()
    dispute.refresh_from_db()
    assert (dispute.stage, dispute.outcome, dispute.award_amount, dispute.decided_by_default) == (
        DisputeStage.DECIDED,
        DisputeOutcome.SPLIT,
        Decimal("5.00"),
        True,
    )
    assert dispute.complaint.outcome == Outcome.PARTLY_UPHELD


def test_both_accepting_decides_and_a_rejection_goes_to_arbitration():
    mediator = agent()
    accepted = services.dispute_mediate(dispute=open_dispute(), actor=mediator)
    services.dispute_propose(
        dispute=accepted, terms="full refund", outcome="complainant", award_amount=Decimal("20.00"), actor=mediator
    )
    services.dispute_answer(dispute=accepted, party=Party.COMPLAINANT, accept=True, actor=None)
    services.dispute_answer(dispute=accepted, party=Party.MERCHANT, accept=True, actor=None)
    accepted.refresh_from_db()
    assert accepted.stage == DisputeStage.DECIDED and not accepted.decided_by_default

    rejected = services.dispute_mediate(dispute=open_dispute(), actor=mediator)
    services.dispute_propose(
        dispute=rejected, terms="nothing", outcome="merchant", award_amount=Decimal("0"), actor=mediator
    )
    services.dispute_answer(dispute=rejected, party=Party.COMPLAINANT, accept=False, actor=None)
    rejected.refresh_from_db()
    assert rejected.stage == DisputeStage.ARBITRATION
    with pytest.raises(Conflict):
        services.dispute_answer(dispute=rejected, party=Party.MERCHANT, accept=True, actor=None)


def test_arbitration_is_decided_by_someone_other_than_the_mediator():
    mediator, arbitrator = agent(), agent()
    dispute = services.dispute_mediate(dispute=open_dispute(), actor=mediator)
    services.dispute_propose(dispute=dispute, terms="x", outcome="split", award_amount=Decimal("1"), actor=mediator)
    services.dispute_answer(dispute=dispute, party=Party.MERCHANT, accept=False, actor=None)
    with pytest.raises(Conflict) as error:
        services.dispute_arbitrate(
            dispute=dispute, outcome="merchant", award_amount=Decimal("0"), note="no fault", actor=mediator
        )
    assert error.value.code == "arbitrator_is_mediator"
    dispute.refresh_from_db()
    assert dispute.stage == DisputeStage.ARBITRATION and dispute.arbitrator is None
    services.dispute_arbitrate(
        dispute=dispute, outcome="merchant", award_amount=Decimal("0"), note="no fault", actor=arbitrator
    )
    dispute.refresh_from_db()
    assert (dispute.stage, dispute.arbitrator, dispute.outcome) == (DisputeStage.DECIDED, arbitrator, "merchant")
    assert dispute.complaint.outcome == Outcome.REJECTED


def test_an_unanswered_mediation_without_proposal_goes_to_arbitration():
    dispute = services.dispute_mediate(dispute=open_dispute(), actor=agent())
    with time_machine.travel(dispute.stage_due_at + timedelta(minutes=1)):
        services.disputes_apply_defaults()
    dispute.refresh_from_db()
    assert dispute.stage == DisputeStage.ARBITRATION


def test_litigation_referral_needs_documents_and_keeps_them():
    mediator, arbitrator = agent(), agent()
    dispute = services.dispute_mediate(dispute=open_dispute(), actor=mediator)
    services.dispute_propose(dispute=dispute, terms="x", outcome="split", award_amount=Decimal("1"), actor=mediator)
    services.dispute_answer(dispute=dispute, party=Party.MERCHANT, accept=False, actor=None)
    with pytest.raises(ValidationError):
        services.dispute_refer_litigation(dispute=dispute, note="court", documents=[], actor=arbitrator)
    services.dispute_refer_litigation(
        dispute=dispute,
        note="Shanghai Huangpu court, case 2026-123",
        documents=[check_upload("claim.pdf", PDF)],
        actor=arbitrator,
    )
    dispute.refresh_from_db()
    assert dispute.stage == DisputeStage.LITIGATION and dispute.litigation_referred_at
    assert DisputeDocument.objects.get(dispute=dispute).content_type == "application/pdf"
    # the hold stays while the court decides
    assert selectors.payout_held(merchant_id=dispute.merchant_id) == dispute.amount


# --- SLA clocks ------------------------------------------------------------------------------


def test_breaches_are_flagged_and_go_to_the_supervisor_queue():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        late_ack = make_complaint()
        handled = investigating()
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        assert services.complaints_flag_breaches() == 0
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert services.complaints_flag_breaches() == 1  # not acknowledged in 24 h
        assert services.complaints_flag_breaches() == 0  # flagged once
    late_ack.refresh_from_db()
    assert late_ack.ack_breached_at and late_ack.supervisor_escalated_at and not late_ack.resolve_breached_at
    assert list(selectors.supervisor_queue()) == [late_ack]
    with time_machine.travel(start + timedelta(hours=73), tick=False):
        assert services.complaints_flag_breaches() == 2  # both unresolved after 72 h
    handled.refresh_from_db()
    assert handled.resolve_breached_at and not handled.ack_breached_at
    assert set(selectors.supervisor_queue()) == {late_ack, handled}


def test_resolved_cases_do_not_breach():
    start = timezone.now()
    handler = agent()
    with time_machine.travel(start, tick=False):
        complaint = investigating(handler=handler)
        services.complaint_resolve(complaint=complaint, outcome="rejected", remedy="none", actor=handler)
    with time_machine.travel(start + timedelta(days=10), tick=False):
        assert services.complaints_flag_breaches() == 0


def test_the_beat_task_runs_both_clocks():
    from complaints.tasks import complaints_check_deadlines

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        make_complaint()
        open_dispute()
    with time_machine.travel(start + timedelta(days=4), tick=False):
        result = complaints_check_deadlines.apply().get()
    assert result == {"sla_breaches": 2, "dispute_defaults": 1}


# --- Prevention ------------------------------------------------------------------------------


def test_a_rising_complaint_rate_sends_one_notice_with_a_next_step(
    mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    merchant = order_factories.active_merchant()
    merchant_owner(merchant)
    today = timezone.localdate()
    now = timezone.now()
    last_week = now - timedelta(days=3)
    for _ in range(25):
        order_factories.make_order(merchant, placed_at=last_week)
        order_factories.make_order(merchant, placed_at=now - timedelta(days=10))
    for _ in range(4):
        make_complaint(merchant, text="快递一直没到", received_at=last_week)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaint_rate_alerts_send(today=today) == 1
    assert services.complaint_rate_alerts_send(today=today) == 0
    alert = ComplaintRateAlert.objects.get()
    assert alert.top_category == "logistics" and alert.rate_per_1000 == Decimal("160.00")
    assert "delivery" in mailoutbox[0].body
    # the owner also sees it in the portal
    from core.models import Notification

    assert Notification.objects.filter(kind="complaint", merchant_id=merchant.pk).count() == 1


def test_a_steady_rate_sends_nothing():
    merchant = order_factories.active_merchant()
    now = timezone.now()
    for days in (3, 10):
        for _ in range(25):
            order_factories.make_order(merchant, placed_at=now - timedelta(days=days))
        for _ in range(4):
            make_complaint(merchant, received_at=now - timedelta(days=days))
    assert services.complaint_rate_alerts_send(today=timezone.localdate()) == 0
