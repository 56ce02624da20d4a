from datetime import timedelta
from decimal import Decimal

import pytest

from orders import services
from orders.choices import OrderStatus
from orders.models import ReturnRequest
from tests.contract.test_errors import assert_error_shape
from tests.factories import merchant_owner
from tests.orders.factories import active_merchant, make_order

pytestmark = pytest.mark.django_db


def returns_url(order) -> str:
    return f"/api/v1/orders/{order.pk}/returns/"


def test_a_return_goes_from_request_to_refund_and_close(as_key, as_user):
    # given a delivered order of 2 × 10.00 and a merchant that charges 10 % restocking on change of mind
    merchant = active_merchant()
    services.return_policy_set(
        merchant=merchant,
        window_days=7,
        return_shipping_paid_by="buyer",
        restocking_fee_percent=Decimal("10"),
        actor=None,
    )
    order = make_order(merchant, OrderStatus.DELIVERED)
    item = order.items.first()
    # when the storefront files a return for one item
    created = as_key("orders:write").post(
        returns_url(order),
        {
            "type": "return",
            "reason": "changed_mind",
            "items": [{"order_item": item.pk, "quantity": 1}],
            "evidence": ["https://img.example/1.jpg"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "requested" and body["items_value"] == "10.00" and body["restocking_fee"] == "1.00"
    assert body["return_shipping_paid_by"] == "buyer"
    # and the merchant approves, receives the parcel, refunds and closes
    owner = as_user(merchant_owner(merchant))
    base = f"{returns_url(order)}{body['id']}/"
    approved = owner.post(base + "approve/", {}, format="json").json()
    assert approved["status"] == "approved" and approved["refund_amount"] == "9.00"
    assert owner.post(base + "receive/").json()["status"] == "item_received"
    refunded = owner.post(base + "refund/", {}, format="json").json()
    assert refunded["status"] == "refunded" and refunded["refund_amount"] == "9.00"
    assert owner.post(base + "close/").json()["status"] == "closed"
    # then the order records the refund
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("9.00") and order.payment_status == "partially_refunded"


def test_a_rejected_request_needs_a_note_and_ends_closed(as_user):
    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.DELIVERED)
    request = services.return_request_create(
        order=order,
        type="refund_only",
        reason="not_received",
        items=[{"order_item": order.items.first().pk, "quantity": 1}],
        actor=None,
    )
    owner = as_user(merchant_owner(merchant))
    base = f"{returns_url(order)}{request.pk}/"
    assert_error_shape(owner.post(base + "reject/", {}, format="json"), 400, "validation_error")
    assert (
        owner.post(base + "reject/", {"note": "tracking shows delivery"}, format="json").json()["status"] == "rejected"
    )
    assert_error_shape(owner.post(base + "refund/", {}, format="json"), 409, "conflict")
    assert owner.post(base + "close/").json()["status"] == "closed"


def test_refund_only_skips_the_parcel_and_exchange_is_not_refunded():
    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.DELIVERED)
    first, second = order.items.all()
    refund_only = services.return_request_create(
        order=order,
        type="refund_only",
        reason="missing_parts",
        items=[{"order_item": first.pk, "quantity": 1}],
        actor=None,
    )
    services.return_approve(request=refund_only, actor=None, refund_amount=Decimal("4.00"))
    refunded = services.return_refund(request=refund_only, actor=None)
    assert refunded.status == "refunded" and refunded.refund_amount == Decimal("4.00")
    exchange = services.return_request_create(
        order=order, type="exchange", reason="defective", items=[{"order_item": second.pk, "quantity": 1}], actor=None
    )
    services.return_approve(request=exchange, actor=None)
    services.return_receive(request=exchange, actor=None)
    from core.errors import Conflict

    with pytest.raises(Conflict):
        services.return_refund(request=exchange, actor=None)
    assert services.return_exchange(request=exchange, actor=None).status == "exchanged"


def test_returns_are_refused_outside_the_rules(as_key):
    merchant = active_merchant()
    client = as_key("orders:write")
    pending = make_order(merchant)
    item = pending.items.first()
    body = {"type": "return", "reason": "defective", "items": [{"order_item": item.pk, "quantity": 1}]}
    # not delivered yet
    assert_error_shape(client.post(returns_url(pending), body, format="json"), 409, "conflict")
    # more than was bought, or an item of another order
    delivered = make_order(merchant, OrderStatus.DELIVERED)
    own = delivered.items.first()
    too_many = {**body, "items": [{"order_item": own.pk, "quantity": 2}]}
    assert_error_shape(client.post(returns_url(delivered), too_many, format="json"), 400, "validation_error")
    assert_error_shape(client.post(returns_url(delivered), body, format="json"), 400, "validation_error")
    # the window has passed
    type(delivered).objects.filter(pk=delivered.pk).update(delivered_at=delivered.delivered_at - timedelta(days=8))
    late = {**body, "items": [{"order_item": own.pk, "quantity": 1}]}
    response = client.post(returns_url(delivered), late, format="json")
    assert assert_error_shape(response, 409, "conflict")["errors"][0]["code"] == "return_window_passed"
    assert not ReturnRequest.objects.exists()


def test_a_refund_cannot_exceed_what_the_order_has_left():
    from django.core.exceptions import ValidationError

    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.DELIVERED)
    request = services.return_request_create(
        order=order,
        type="refund_only",
        reason="damaged",
        items=[{"order_item": order.items.first().pk, "quantity": 1}],
        actor=None,
    )
    with pytest.raises(ValidationError):
        services.return_approve(request=request, actor=None, refund_amount=Decimal("20.01"))
    request.refresh_from_db()
    assert request.status == "requested"


def test_a_merchant_sets_its_return_policy(as_user):
    merchant = active_merchant()
    owner = as_user(merchant_owner(merchant))
    body = {
        "merchant": merchant.pk,
        "window_days": 15,
        "return_shipping_paid_by": "merchant",
        "restocking_fee_percent": "5.00",
    }
    assert owner.post("/api/v1/orders/return-policies/", body, format="json").status_code == 200
    again = owner.post("/api/v1/orders/return-policies/", {**body, "window_days": 30}, format="json")
    assert again.json()["window_days"] == 30
    listed = owner.get("/api/v1/orders/return-policies/").json()
    assert listed["count"] == 1 and listed["results"][0]["return_shipping_paid_by"] == "merchant"
    bad = owner.post("/api/v1/orders/return-policies/", {**body, "restocking_fee_percent": "101"}, format="json")
    assert_error_shape(bad, 400, "validation_error")


def test_a_merchant_manages_its_warehouses(as_user):
    merchant = active_merchant()
    owner = as_user(merchant_owner(merchant))
    created = owner.post(
        "/api/v1/orders/warehouses/",
        {"merchant": merchant.pk, "name": "East", "region": "310101", "capacity": 50},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["in_use"] == 0
    changed = owner.patch(f"/api/v1/orders/warehouses/{created.json()['id']}/", {"capacity": 80}, format="json")
    assert changed.json()["capacity"] == 80
    unknown = owner.post(
        "/api/v1/orders/warehouses/",
        {"merchant": merchant.pk, "name": "West", "region": "000000", "capacity": 5},
        format="json",
    )
    assert_error_shape(unknown, 400, "validation_error")
