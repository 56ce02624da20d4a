"""Complaint case work through the services: classification at intake, routing by load, resolution,
obligations, rating, closing, and the read-only archive."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from complaints import services
from complaints.choices import Category, ComplaintStatus, EvidenceKind, ObligationStatus
from complaints.models import CategoryCorrection, CategorySla, Complaint
from core.errors import Conflict, InvalidTransition
from core.models import AuditEntry
from tests.complaints.factories import agent, investigating, make_complaint
from tests.orders import factories as order_factories

pytestmark = pytest.mark.django_db


def test_intake_classifies_links_the_order_gathers_evidence_and_routes_to_an_agent():
    helper = agent()
    merchant = order_factories.active_merchant()
    order = order_factories.make_order(merchant, "shipped")
    complaint = make_complaint(merchant, order=order, text="Produto com defeito, qualidade péssima")
    assert complaint.status == ComplaintStatus.CLASSIFIED
    assert complaint.category == Category.PRODUCT_QUALITY and complaint.classified_by in ("rules", "model")
    assert (complaint.carrier, complaint.tracking_number) == ("SF", order.tracking_number)
    assert complaint.assigned_to == helper
    kinds = set(complaint.evidence.values_list("kind", flat=True))
    assert {EvidenceKind.ORDER, EvidenceKind.ITEMS, EvidenceKind.PAYMENTS, EvidenceKind.SHIPMENT} <= kinds
    assert complaint.evidence.get(kind=EvidenceKind.SHIPMENT).data["tracking_number"] == order.tracking_number
    # classifying again changes nothing
    assert services.complaint_classify(complaint_id=complaint.pk).status == ComplaintStatus.CLASSIFIED
    assert AuditEntry.objects.filter(action="complaint.classified", object_id=str(complaint.pk)).count() == 1


def test_earlier_complaints_of_the_same_buyer_are_evidence():
    merchant = order_factories.active_merchant()
    first = make_complaint(merchant)
    second = make_complaint(merchant)
    earlier = second.evidence.get(kind=EvidenceKind.EARLIER_COMPLAINTS).data
    assert [row["id"] for row in earlier] == [first.pk]


def test_cases_go_round_robin_to_the_least_loaded_agent():
    a, b = agent(), agent()
    merchant = order_factories.active_merchant()
    owners = [make_complaint(merchant).assigned_to for _ in range(4)]
    assert owners == [a, b, a, b]
    # an agent whose cases are finished carries less load and gets the next one
    for complaint in Complaint.objects.filter(assigned_to=a):
        services.complaint_assign(complaint=complaint, actor=a, agent=a)
        services.complaint_resolve(complaint=complaint, outcome="rejected", remedy="none", actor=a)
    assert make_complaint(merchant).assigned_to == a


def test_per_category_sla_sets_the_clocks():
    CategorySla.objects.create(category=Category.PAYMENT, acknowledge_hours=4, resolve_hours=24)
    complaint = make_complaint(text="I was charged twice, please fix the billing")
    assert complaint.category == Category.PAYMENT
    assert (complaint.ack_due_at - complaint.received_at).total_seconds() == 4 * 3600
    assert (complaint.due_at - complaint.received_at).total_seconds() == 24 * 3600


def test_assignment_acknowledges_and_asks_the_merchant_to_respond_within_48_hours(
    mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    merchant = order_factories.active_merchant()
    from tests.factories import merchant_owner

    merchant_owner(merchant)
    complaint = make_complaint(merchant, complainant_email="buyer@example.com")
    handler = agent()
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.complaint_assign(complaint=complaint, actor=handler)
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.acknowledged_at
    assert (complaint.merchant_response_due_at - complaint.acknowledged_at).total_seconds() == 48 * 3600
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert "buyer@example.com" in recipients and len(recipients) == 2


def test_staff_correction_is_kept_for_training():
    complaint = make_complaint(text="快递一直没到")
    handler = agent()
    services.complaint_correct_category(complaint=complaint, category=Category.AFTER_SALES, actor=handler)
    correction = CategoryCorrection.objects.get()
    assert (correction.from_category, correction.to_category) == (Category.LOGISTICS, Category.AFTER_SALES)
    assert correction.text == "快递一直没到"
    complaint.refresh_from_db()
    assert (complaint.category, complaint.classified_by) == (Category.AFTER_SALES, "staff")


def test_resolution_tracks_the_merchant_obligation_then_rating_and_closing():
    handler = agent()
    complaint = investigating(handler=handler)
    with pytest.raises(ValidationError):
        services.complaint_resolve(complaint=complaint, outcome="upheld", remedy="none", actor=handler)
    with pytest.raises(ValidationError):
        services.complaint_resolve(
            complaint=complaint, outcome="upheld", remedy="refund", remedy_amount=Decimal("9999"), actor=handler
        )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING
    complaint = services.complaint_resolve(
        complaint=complaint, outcome="upheld", remedy="refund", remedy_amount=Decimal("10.00"), actor=handler
    )
    assert complaint.outcome == "upheld" and complaint.decided_at is not None
    assert complaint.obligation_status == ObligationStatus.PENDING
    with pytest.raises(Conflict):
        services.complaint_close(complaint=complaint, actor=handler)
    services.complaint_fulfil_obligation(complaint=complaint, actor=None, note="refunded via Alipay")
    with pytest.raises(ValidationError):
        services.complaint_rate(complaint=complaint, score=6, actor=None)
    services.complaint_rate(complaint=complaint, score=4, comment="ok", actor=None)
    with pytest.raises(Conflict):
        services.complaint_rate(complaint=complaint, score=5, actor=None)
    complaint = services.complaint_close(complaint=complaint, actor=handler)
    assert complaint.status == ComplaintStatus.CLOSED and complaint.rating == 4


def test_a_closed_case_is_read_only():
    handler = agent()
    complaint = investigating(handler=handler)
    services.complaint_resolve(complaint=complaint, outcome="rejected", remedy="none", actor=handler)
    services.complaint_close(complaint=complaint, actor=handler)
    for attempt in (
        lambda: services.complaint_correct_category(complaint=complaint, category="payment", actor=handler),
        lambda: services.complaint_merchant_respond(complaint=complaint, response="late", actor=None),
        lambda: services.complaint_rate(complaint=complaint, score=3, actor=None),
        lambda: services.complaint_escalate(complaint=complaint, reason="no", actor=None),
    ):
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "complaint_closed"
    complaint.refresh_from_db()
    assert complaint.category != "payment" and complaint.rating is None


def test_illegal_moves_are_refused():
    handler = agent()
    complaint = make_complaint(classify=False)
    with pytest.raises(InvalidTransition):
        services.complaint_resolve(complaint=complaint, outcome="rejected", remedy="none", actor=handler)
    with pytest.raises(InvalidTransition):
        services.complaint_escalate(complaint=complaint, reason="x", actor=None)


def test_intake_refuses_empty_text_and_another_merchants_order():
    merchant = order_factories.active_merchant()
    other_order = order_factories.make_order(order_factories.active_merchant())
    with pytest.raises(ValidationError):
        services.complaint_intake(merchant=merchant, description=" \ufeff ", channel="online", actor=None)
    with pytest.raises(ValidationError):
        services.complaint_intake(merchant=merchant, order=other_order, description="bad", channel="online", actor=None)
    assert not Complaint.objects.exists()


def test_upheld_complaints_are_countable_for_credit():
    from datetime import timedelta

    from django.utils import timezone

    from complaints.selectors import upheld_complaints

    handler = agent()
    upheld = investigating(handler=handler)
    services.complaint_resolve(complaint=upheld, outcome="upheld", remedy="apology", actor=handler)
    rejected = investigating(handler=handler)
    services.complaint_resolve(complaint=rejected, outcome="rejected", remedy="none", actor=handler)
    now = timezone.now()
    found = upheld_complaints(since=now - timedelta(days=90), until=now + timedelta(seconds=1))
    assert list(found.values_list("pk", flat=True)) == [upheld.pk]


@pytest.mark.django_db
def test_shipment_evidence_carries_the_tracking_events():
    from datetime import timedelta

    from complaints.evidence import shipment_evidence
    from logistics.services import tracking_events_ingest

    order = order_factories.make_order(order_factories.active_merchant(), "shipped")
    tracking_events_ingest(
        events=[
            {
                "shipment_id": order.shipment.pk,
                "code": "in_transit",
                "occurred_at": order.shipment.shipped_at + timedelta(hours=5),
                "location": "Hangzhou hub",
                "description": "Departed",
            }
        ],
        actor=None,
    )
    evidence = shipment_evidence(order)
    assert evidence["shipment_status"] == "in_transit"
    assert [(e["code"], e["location"]) for e in evidence["events"]] == [("in_transit", "Hangzhou hub")]
