from datetime import timedelta

import pytest
from django.utils import timezone

from orders import services
from orders.choices import OrderStatus
from orders.models import Order
from tests.factories import merchant_owner
from tests.orders.factories import active_merchant, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    def login(merchant):
        client.force_login(merchant_owner(merchant))
        return client

    return login


def test_the_order_list_filters_by_status_and_late_to_ship(owner_client):
    merchant = active_merchant()
    late = make_order(merchant, external_id="LATE-1", ship_by=timezone.now() - timedelta(hours=2))
    make_order(merchant, external_id="FINE-1", ship_by=timezone.now() + timedelta(hours=2))
    make_order(active_merchant(), external_id="OTHER-1")
    client = owner_client(merchant)
    page = client.get("/portal/orders/").content.decode()
    assert "LATE-1" in page and "FINE-1" in page and "OTHER-1" not in page
    late_only = client.get("/portal/orders/", {"late": "1"}).content.decode()
    assert "LATE-1" in late_only and "FINE-1" not in late_only
    assert "Late to ship" in late_only
    shipped = client.get("/portal/orders/", {"status": "shipped"}).content.decode()
    assert "LATE-1" not in shipped
    today = timezone.localdate().isoformat()
    assert late.external_id in client.get("/portal/orders/", {"from": today, "to": today}).content.decode()


def test_the_order_list_queries_do_not_grow_with_rows(owner_client, django_assert_max_num_queries):
    merchant = active_merchant()
    for _ in range(30):
        make_order(merchant)
    client = owner_client(merchant)
    with django_assert_max_num_queries(10):
        assert client.get("/portal/orders/").status_code == 200


def test_bulk_confirm_and_pack(owner_client):
    merchant = active_merchant()
    first, second = make_order(merchant), make_order(merchant)
    allocated = make_order(merchant, OrderStatus.ALLOCATED)
    client = owner_client(merchant)
    client.post("/portal/orders/bulk/", {"action": "confirm", "orders": [first.pk, second.pk, allocated.pk]})
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "confirmed"
    assert statuses[allocated.pk] == "allocated"  # refused, unchanged
    client.post("/portal/orders/bulk/", {"action": "pack", "orders": [allocated.pk]})
    assert Order.objects.get(pk=allocated.pk).status == "packed"


def test_bulk_actions_never_reach_another_merchants_orders(owner_client):
    merchant = active_merchant()
    foreign = make_order(active_merchant())
    owner_client(merchant).post("/portal/orders/bulk/", {"action": "confirm", "orders": [foreign.pk]})
    assert Order.objects.get(pk=foreign.pk).status == "pending"


def test_the_detail_shows_the_timeline(owner_client):
    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.SHIPPED)
    page = owner_client(merchant).get(f"/portal/orders/{order.pk}/").content.decode()
    for label in ("Placed", "Confirmed", "Allocated", "Packed", "Shipped", order.tracking_number):
        assert label in page
    assert owner_client(active_merchant()).get(f"/portal/orders/{order.pk}/").status_code == 404


def test_the_returns_inbox_approves_with_a_refund_and_rejects(owner_client):
    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.DELIVERED)
    first, second = order.items.all()
    one = services.return_request_create(
        order=order, type="return", reason="damaged", items=[{"order_item": first.pk, "quantity": 1}], actor=None
    )
    two = services.return_request_create(
        order=order, type="return", reason="changed_mind", items=[{"order_item": second.pk, "quantity": 1}], actor=None
    )
    client = owner_client(merchant)
    inbox = client.get("/portal/orders/returns/").content.decode()
    assert f"<td>{one.pk}</td>" in inbox and f"<td>{two.pk}</td>" in inbox
    client.post(f"/portal/orders/returns/{one.pk}/", {"action": "approve", "refund_amount": "8.50"})
    client.post(f"/portal/orders/returns/{two.pk}/", {"action": "reject", "note": "used item"})
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, str(one.refund_amount)) == ("approved", "8.50")
    assert (two.status, two.decision_note) == ("rejected", "used item")
    # another merchant's owner cannot act on it
    assert (
        owner_client(active_merchant()).post(f"/portal/orders/returns/{one.pk}/", {"action": "receive"}).status_code
        == 404
    )
