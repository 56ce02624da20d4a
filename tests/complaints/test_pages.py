"""Merchant portal pages for complaints and the staff console queues and analytics page."""

from decimal import Decimal

import pytest

from complaints import services
from complaints.choices import ComplaintStatus
from core.access import PLATFORM_ADMIN, SUPPORT_AGENT
from tests.complaints.factories import agent, investigating, make_complaint
from tests.factories import merchant_owner, staff
from tests.orders import factories as order_factories
from tests.query_counts import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_merchant_sees_responds_and_answers_a_proposal(client):
    merchant = order_factories.active_merchant()
    owner = merchant_owner(merchant)
    handler = agent()
    complaint = investigating(merchant, handler=handler)
    other = make_complaint(order_factories.active_merchant())
    client.force_login(owner)
    page = client.get("/portal/complaints/")
    assert page.status_code == 200 and f"/portal/complaints/{complaint.pk}/" in page.content.decode()
    assert f"/portal/complaints/{other.pk}/" not in page.content.decode()
    assert client.get(f"/portal/complaints/{other.pk}/").status_code == 404
    assert client.post(f"/portal/complaints/{other.pk}/act/", {"action": "respond", "response": "x"}).status_code == 404
    client.post(f"/portal/complaints/{complaint.pk}/act/", {"action": "respond", "response": "已补发"})
    complaint.refresh_from_db()
    assert complaint.merchant_response == "已补发"
    dispute = services.complaint_escalate(complaint=complaint, reason="no", actor=None, amount=Decimal("5"))
    services.dispute_mediate(dispute=dispute, actor=handler)
    services.dispute_propose(
        dispute=dispute, terms="refund 5", outcome="complainant", award_amount=Decimal("5"), actor=handler
    )
    assert "refund 5" in client.get(f"/portal/complaints/{complaint.pk}/").content.decode()
    client.post(f"/portal/complaints/{complaint.pk}/act/", {"action": "reject"})
    dispute.refresh_from_db()
    assert dispute.stage == "arbitration"


def test_portal_list_query_count(client):
    merchant = order_factories.active_merchant()
    order = order_factories.make_order(merchant, "shipped")
    client.force_login(merchant_owner(merchant))

    def add(n):
        for _ in range(n):
            make_complaint(merchant, order=order, classify=False)

    assert_constant_queries(lambda: client.get("/portal/complaints/"), add)


def test_staff_queues_and_actions(client):
    support = staff(SUPPORT_AGENT)
    complaint = make_complaint()
    client.force_login(support)
    page = client.get("/admin/complaints/complaint/", {"queue": "unassigned"})
    assert page.status_code == 200 and str(complaint.pk) in page.content.decode()
    client.post(
        "/admin/complaints/complaint/",
        {"action": "assign_to_me", "_selected_action": [complaint.pk]},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.assigned_to == support


@pytest.mark.parametrize("queue", ["", "mine", "supervisor"])
def test_staff_changelist_query_counts(client, queue):
    client.force_login(staff(PLATFORM_ADMIN))
    merchant = order_factories.active_merchant()
    order = order_factories.make_order(merchant, "shipped")

    def add(n):
        for _ in range(n):
            make_complaint(merchant, order=order)

    assert_constant_queries(lambda: client.get("/admin/complaints/complaint/", {"queue": queue} if queue else {}), add)


def test_dispute_changelist_query_count(client):
    client.force_login(staff(PLATFORM_ADMIN))
    handler = agent()

    def add(n):
        for _ in range(n):
            services.complaint_escalate(complaint=investigating(handler=handler), reason="x", actor=None)

    assert_constant_queries(lambda: client.get("/admin/complaints/dispute/"), add)


def test_analytics_page(client):
    handler = agent()
    complaint = investigating(handler=handler)
    services.complaint_resolve(complaint=complaint, outcome="rejected", remedy="none", actor=handler)
    client.force_login(staff(PLATFORM_ADMIN))
    page = client.get("/admin/complaints/complaint/analytics/", {"interval": "day"})
    assert page.status_code == 200
    assert "Median hours to resolve" in page.content.decode()
    assert client.get("/admin/complaints/complaint/analytics/", {"since": "nonsense"}).status_code == 200
