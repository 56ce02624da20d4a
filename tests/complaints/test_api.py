"""Complaints API: idempotent partner intake, who may do what, actions, evidence uploads, query counts."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from complaints.choices import ComplaintStatus
from complaints.models import Complaint, ComplaintEvidence
from core.access import OPS_MANAGER, SUPPORT_AGENT
from core.models import Scope
from tests.complaints.factories import agent, investigating, make_complaint
from tests.factories import merchant_owner, staff
from tests.orders import factories as order_factories
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


def body(merchant, order=None, **overrides):
    data = {"merchant": merchant.pk, "description": "收到的是假货，质量太差", "complainant_ref": "buyer-9"}
    if order is not None:
        data["order"] = order.pk
    data.update(overrides)
    return data


def test_partner_intake_is_idempotent(as_key):
    merchant = order_factories.active_merchant()
    order = order_factories.make_order(merchant, "delivered")
    client = as_key(Scope.COMPLAINTS_WRITE)
    first = client.post("/api/v1/complaints/", body(merchant, order), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    assert set(first.json()) >= {"id", "merchant", "order", "category", "channel", "description", "status", "due_at"}
    again = client.post("/api/v1/complaints/", body(merchant, order), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    other = client.post(
        "/api/v1/complaints/", body(merchant, order, description="x"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422 and other.json()["type"] == "unprocessable"
    assert Complaint.objects.count() == 1


def test_intake_needs_the_scope_and_refuses_bad_input(as_key, as_user):
    merchant = order_factories.active_merchant()
    other_order = order_factories.make_order(order_factories.active_merchant())
    assert as_key(Scope.ORDERS_WRITE).post("/api/v1/complaints/", body(merchant), format="json").status_code == 403
    assert as_user(merchant_owner(merchant)).post("/api/v1/complaints/", body(merchant)).status_code == 403
    client = as_key(Scope.COMPLAINTS_WRITE)
    for bad in (
        body(merchant, description=""),
        body(merchant, order=other_order),
        body(merchant, channel="carrier-pigeon"),
        {**body(merchant), "merchant": 999999},
    ):
        response = client.post("/api/v1/complaints/", bad, format="json")
        assert response.status_code == 400, (bad, response.content)
        assert response.json()["type"] == "validation_error"
    assert not Complaint.objects.exists()


def test_staff_record_phone_complaints(as_user):
    merchant = order_factories.active_merchant()
    client = as_user(staff(SUPPORT_AGENT))
    response = client.post("/api/v1/complaints/", body(merchant, channel="phone", category="payment"), format="json")
    assert response.status_code == 201
    assert response.json()["channel"] == "phone" and response.json()["category"] == "payment"


def test_the_case_through_the_api(as_user, as_key):
    handler = agent()
    merchant = order_factories.active_merchant()
    owner = merchant_owner(merchant)
    complaint = make_complaint(merchant)
    staff_client, merchant_client = as_user(handler), as_user(owner)
    buyer = as_key(Scope.COMPLAINTS_WRITE)
    url = f"/api/v1/complaints/{complaint.pk}/"
    # the merchant cannot assign or resolve
    assert merchant_client.post(url + "assign/", {}, format="json").status_code == 403
    assert staff_client.post(url + "assign/", {}, format="json").json()["status"] == "investigating"
    assert staff_client.post(url + "assign/", {}, format="json").status_code == 200  # reassigning is fine
    response = merchant_client.post(url + "respond/", {"response": "我们会补发"}, format="json")
    assert response.status_code == 200 and response.json()["merchant_responded_at"]
    response = staff_client.post(
        url + "resolve/", {"outcome": "upheld", "remedy": "replacement", "note": "resend"}, format="json"
    )
    assert response.json()["obligation_status"] == "pending"
    assert staff_client.post(url + "close/", {}, format="json").status_code == 409
    assert merchant_client.post(url + "fulfil/", {"note": "sent SF123"}, format="json").status_code == 200
    assert buyer.post(url + "rate/", {"score": 0}, format="json").status_code == 400
    assert buyer.post(url + "rate/", {"score": 5, "comment": "谢谢"}, format="json").json()["rating"] == 5
    assert staff_client.post(url + "close/", {}, format="json").json()["status"] == "closed"
    # closed is read-only
    response = staff_client.post(url + "correct-category/", {"category": "payment"}, format="json")
    assert response.status_code == 409 and response.json()["type"] == "conflict"


def test_illegal_transition_is_409(as_user):
    complaint = make_complaint()
    response = as_user(agent()).post(
        f"/api/v1/complaints/{complaint.pk}/resolve/", {"outcome": "rejected", "remedy": "none"}, format="json"
    )
    assert response.status_code == 409 and response.json()["type"] == "conflict"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLASSIFIED


def test_escalation_and_the_dispute_api(as_user, as_key):
    mediator, arbitrator = agent(), agent()
    merchant = order_factories.active_merchant()
    owner = merchant_owner(merchant)
    complaint = investigating(merchant, handler=mediator)
    buyer = as_key(Scope.COMPLAINTS_WRITE)
    response = buyer.post(f"/api/v1/complaints/{complaint.pk}/escalate/", {"reason": "不同意"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "escalated"
    dispute_id = response.json()["dispute"]
    url = f"/api/v1/complaints/disputes/{dispute_id}/"
    assert as_user(owner).post(url + "respond/", {"position": "已发货"}, format="json").status_code == 200
    assert as_user(mediator).post(url + "mediate/", {}, format="json").json()["stage"] == "mediation"
    proposal = {"terms": "退一半", "outcome": "split", "award_amount": "10.00"}
    assert as_user(mediator).post(url + "propose/", proposal, format="json").status_code == 200
    assert as_user(owner).post(url + "reject/", {}, format="json").json()["stage"] == "arbitration"
    decision = {"outcome": "complainant", "award_amount": "20.00", "note": "not delivered"}
    response = as_user(mediator).post(url + "arbitrate/", decision, format="json")
    assert response.status_code == 409 and response.json()["errors"][0]["code"] == "arbitrator_is_mediator"
    response = as_user(arbitrator).post(url + "arbitrate/", decision, format="json")
    assert response.status_code == 200 and response.json()["stage"] == "decided"
    assert response.json()["payout_hold"]["released_at"] is not None
    pdf = SimpleUploadedFile("claim.pdf", b"%PDF-1.7 claim", content_type="application/pdf")
    response = as_user(arbitrator).post(
        url + "refer-litigation/", {"note": "merchant sues", "documents": [pdf]}, format="multipart"
    )
    assert response.status_code == 200 and response.json()["stage"] == "litigation"
    assert response.json()["documents"][0]["content_type"] == "application/pdf"


@override_settings(COMPLAINT_UPLOAD_MAX_BYTES=100)
def test_evidence_uploads_are_checked_by_content_and_size(as_key):
    complaint = make_complaint()
    client = as_key(Scope.COMPLAINTS_WRITE)
    url = f"/api/v1/complaints/{complaint.pk}/evidence/"
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    assert client.post(url, {"file": fake}, format="multipart").status_code == 400
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 2000, content_type="image/png")
    assert client.post(url, {"file": big}, format="multipart").status_code == 400
    assert not ComplaintEvidence.objects.filter(kind="file").exists()
    good = SimpleUploadedFile("photo.bin", PNG, content_type="application/octet-stream")
    response = client.post(url, {"file": good}, format="multipart")
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    assert response.json()["file_name"] == "photo.png"


def test_merchants_see_only_their_complaints(as_user):
    mine, theirs = order_factories.active_merchant(), order_factories.active_merchant()
    make_complaint(mine)
    make_complaint(theirs)
    response = as_user(merchant_owner(mine)).get("/api/v1/complaints/")
    assert [row["merchant"] for row in response.json()["results"]] == [mine.pk]


def test_analytics_api(as_user):
    handler = agent()
    merchant = order_factories.active_merchant()
    complaint = investigating(merchant, handler=handler, complainant_ref="buyer-1")
    make_complaint(merchant, complainant_ref="buyer-1")
    from complaints import services

    services.complaint_resolve(complaint=complaint, outcome="upheld", remedy="apology", actor=handler)
    services.complaint_rate(complaint=complaint, score=4, actor=None)
    assert as_user(merchant_owner(merchant)).get("/api/v1/complaints/analytics/").status_code == 403
    response = as_user(staff(OPS_MANAGER)).get("/api/v1/complaints/analytics/", {"interval": "day"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["total"] == 2 and data["upheld"] == 1
    assert data["resolve_sla_hit_rate"] == 1.0 and data["satisfaction_average"] == 4.0
    assert data["repeat_complainants"] == [{"complainant": "buyer-1", "count": 2}]
    assert sum(point["count"] for point in data["by_category"]) == 2
    assert as_user(staff(OPS_MANAGER)).get("/api/v1/complaints/analytics/", {"interval": "year"}).status_code == 400


def test_list_query_counts(as_user):
    merchant = order_factories.active_merchant()
    order = order_factories.make_order(merchant, "shipped")
    client = as_user(staff(OPS_MANAGER))

    def add(n):
        for _ in range(n):
            make_complaint(merchant, order=order, classify=False)

    assert_constant_queries(lambda: client.get("/api/v1/complaints/", {"page_size": 200}), add)


def test_dispute_list_query_counts(as_user):
    client = as_user(staff(OPS_MANAGER))
    handler = agent()
    from complaints import services

    def add(n):
        for _ in range(n):
            services.complaint_escalate(
                complaint=investigating(handler=handler), reason="x", actor=None, amount=Decimal("1")
            )

    assert_constant_queries(lambda: client.get("/api/v1/complaints/disputes/", {"page_size": 200}), add)
