from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from core.access import OPS_MANAGER, SUPPORT_AGENT
from core.models import AuditEntry
from orders.choices import OrderStatus
from orders.models import Order, OrderItem
from tests.contract.test_errors import assert_error_shape
from tests.factories import merchant_owner, staff
from tests.orders.factories import active_merchant, make_order, order_body, warehouse_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/orders/"


def test_a_partner_creates_an_order_with_its_items(as_key):
    # given an active merchant and a storefront key allowed to write orders
    merchant = active_merchant()
    client = as_key("orders:write", "read")
    # when it pushes an order
    response = client.post(URL, order_body(merchant), format="json")
    # then the order exists, pending, with its items and totals, and the change is audited
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["merchant"] == merchant.pk
    assert body["ship_to_region"] == "310101"
    assert body["total"] == "149.80" and body["items_total"] == "149.80"
    assert [item["sku"] for item in body["items"]] == ["TEE-RED-M", "CAP-01"]
    assert body["items"][0] == {
        "sku": "TEE-RED-M",
        "name": "T-shirt",
        "quantity": 2,
        "unit_price": "59.90",
        "weight_kg": "0.250",
    }
    assert body["late_to_ship"] is False
    assert AuditEntry.objects.filter(action="order.create", object_id=str(body["id"])).exists()


def test_a_replay_returns_the_same_order_and_another_body_is_422(as_key):
    merchant = active_merchant()
    client = as_key("orders:write")
    first = client.post(URL, order_body(merchant), format="json", HTTP_IDEMPOTENCY_KEY="cart-1")
    again = client.post(URL, order_body(merchant), format="json", HTTP_IDEMPOTENCY_KEY="cart-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = client.post(
        URL, order_body(merchant, buyer_ref="someone-else"), format="json", HTTP_IDEMPOTENCY_KEY="cart-1"
    )
    assert_error_shape(other, 422, "unprocessable")
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "attr"),
    [
        ({"total": "150.00"}, "total"),
        ({"ship_to_region": "999999"}, "ship_to_region"),
        ({"ship_to_region": "310000"}, "ship_to_region"),  # a province is not a delivery address
        ({"items": []}, "items"),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 0, "unit_price": "1.00"}], "total": "0.00"},
            "items.0.quantity",
        ),
        (
            {"items": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": "-1.00"}], "total": "-1.00"},
            "items.0.unit_price",
        ),
        ({"items": [{"sku": "A", "quantity": 1, "unit_price": "1.00"}], "total": "1.00"}, "items.0.name"),
        ({"external_id": ""}, "external_id"),
    ],
)
def test_incomplete_orders_are_refused_and_nothing_is_created(as_key, overrides, attr):
    merchant = active_merchant()
    response = as_key("orders:write").post(URL, order_body(merchant, **overrides), format="json")
    body = assert_error_shape(response, 400, "validation_error")
    assert attr in {error["attr"] for error in body["errors"]}, body
    assert not Order.objects.exists() and not OrderItem.objects.exists()


def test_a_duplicate_external_id_is_a_conflict(as_key):
    merchant = active_merchant()
    client = as_key("orders:write")
    assert client.post(URL, order_body(merchant), format="json").status_code == 201
    assert_error_shape(client.post(URL, order_body(merchant), format="json"), 409, "conflict")
    assert Order.objects.count() == 1


def test_a_merchant_key_cannot_create_orders_for_another_merchant(as_key):
    mine, theirs = active_merchant(), active_merchant()
    response = as_key("orders:write", merchant=mine).post(URL, order_body(theirs), format="json")
    assert_error_shape(response, 400, "validation_error")
    assert not Order.objects.exists()


def test_a_suspended_merchant_takes_no_orders(as_key):
    from merchants.services import merchant_suspend

    merchant = merchant_suspend(merchant=active_merchant(), actor=None, reason="test")
    response = as_key("orders:write").post(URL, order_body(merchant), format="json")
    assert_error_shape(response, 400, "validation_error")


def test_only_keys_with_orders_write_create_orders(as_key, as_user):
    merchant = active_merchant()
    assert as_key("read").post(URL, order_body(merchant), format="json").status_code == 403
    assert as_user(merchant_owner(merchant)).post(URL, order_body(merchant), format="json").status_code == 403
    assert not Order.objects.exists()


def test_the_merchant_fulfils_an_order_step_by_step(as_user):
    # given a pending order and its merchant's owner
    merchant = active_merchant()
    order = make_order(merchant)
    warehouse = warehouse_for(merchant)
    client = as_user(merchant_owner(merchant))
    base = f"{URL}{order.pk}/"
    # when the owner confirms, allocates, packs, ships and the parcel is delivered
    assert client.post(base + "confirm/").json()["status"] == "confirmed"
    allocated = client.post(base + "allocate/", {"warehouse": warehouse.pk}, format="json").json()
    assert allocated["status"] == "allocated" and allocated["warehouse"] == warehouse.pk
    assert client.post(base + "pack/").json()["status"] == "packed"
    shipped = client.post(base + "ship/", {"carrier": "SF", "tracking_number": "SF1234567890"}, format="json").json()
    delivered = client.post(base + "deliver/").json()
    # then each step is recorded with its time, and the carrier and tracking are kept
    assert shipped["carrier"] == "SF" and shipped["tracking_number"] == "SF1234567890"
    assert delivered["status"] == "delivered"
    for stamp in ("confirmed_at", "allocated_at", "packed_at", "shipped_at", "delivered_at"):
        assert delivered[stamp] is not None
    actions = list(
        AuditEntry.objects.filter(object_id=str(order.pk), object_type="orders.order").values_list("action", flat=True)
    )
    assert {"order.confirmed", "order.allocated", "order.packed", "order.shipped", "order.delivered"} <= set(actions)


def test_an_illegal_transition_is_409_and_changes_nothing(as_user):
    merchant = active_merchant()
    order = make_order(merchant)
    client = as_user(merchant_owner(merchant))
    body = assert_error_shape(
        client.post(f"{URL}{order.pk}/ship/", {"carrier": "SF", "tracking_number": "1"}, format="json"), 409, "conflict"
    )
    assert body["errors"][0]["code"] == "invalid_transition"
    order.refresh_from_db()
    assert order.status == "pending" and order.shipped_at is None and order.carrier == ""
    delivered = make_order(merchant, OrderStatus.DELIVERED)
    assert_error_shape(client.post(f"{URL}{delivered.pk}/cancel/", {"reason": "x"}, format="json"), 409, "conflict")


def test_cancel_needs_a_reason_and_keeps_it(as_key):
    merchant = active_merchant()
    order = make_order(merchant)
    client = as_key("orders:write", merchant=merchant)
    assert_error_shape(client.post(f"{URL}{order.pk}/cancel/", {}, format="json"), 400, "validation_error")
    response = client.post(f"{URL}{order.pk}/cancel/", {"reason": "out of stock"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled" and response.json()["cancel_reason"] == "out of stock"


def test_who_may_act_on_orders(as_key, as_user):
    merchant = active_merchant()
    order = make_order(merchant)
    confirm = f"{URL}{order.pk}/confirm/"
    # a platform-wide key (the storefront) and a support agent read but do not fulfil
    assert as_key("orders:write").post(confirm).status_code == 403
    assert as_user(staff(SUPPORT_AGENT)).post(confirm).status_code == 403
    assert as_key("read", merchant=merchant).post(confirm).status_code == 403
    # operations staff may
    assert as_user(staff(OPS_MANAGER)).post(confirm).status_code == 200


def test_allocation_respects_the_warehouse_capacity(as_user):
    merchant = active_merchant()
    warehouse = warehouse_for(merchant, capacity=1)
    first, second = make_order(merchant, OrderStatus.CONFIRMED), make_order(merchant, OrderStatus.CONFIRMED)
    client = as_user(merchant_owner(merchant))
    assert client.post(f"{URL}{first.pk}/allocate/", {"warehouse": warehouse.pk}, format="json").status_code == 200
    response = client.post(f"{URL}{second.pk}/allocate/", {"warehouse": warehouse.pk}, format="json")
    assert assert_error_shape(response, 409, "conflict")["errors"][0]["code"] == "warehouse_full"
    second.refresh_from_db()
    assert second.status == "confirmed" and second.warehouse_id is None


def test_cancelling_an_allocated_or_packed_order_frees_its_place_in_the_warehouse(as_user):
    merchant = active_merchant()
    warehouse = warehouse_for(merchant, capacity=1)
    packed, allocated, waiting = (make_order(merchant, OrderStatus.CONFIRMED) for _ in range(3))
    client = as_user(merchant_owner(merchant))
    in_use = lambda: client.get(f"{URL}warehouses/{warehouse.pk}/").json()["in_use"]  # noqa: E731

    assert client.post(f"{URL}{packed.pk}/allocate/", {"warehouse": warehouse.pk}, format="json").status_code == 200
    assert client.post(f"{URL}{packed.pk}/pack/").status_code == 200
    assert in_use() == 1
    assert client.post(f"{URL}{allocated.pk}/allocate/", {"warehouse": warehouse.pk}, format="json").status_code == 409
    # when the packed order is cancelled, its place is free again
    assert client.post(f"{URL}{packed.pk}/cancel/", {"reason": "buyer asked"}, format="json").status_code == 200
    assert in_use() == 0
    assert client.post(f"{URL}{allocated.pk}/allocate/", {"warehouse": warehouse.pk}, format="json").status_code == 200
    # and so when an allocated one is
    assert client.post(f"{URL}{waiting.pk}/allocate/", {"warehouse": warehouse.pk}, format="json").status_code == 409
    assert client.post(f"{URL}{allocated.pk}/cancel/", {"reason": "out of stock"}, format="json").status_code == 200
    assert client.post(f"{URL}{waiting.pk}/allocate/", {"warehouse": warehouse.pk}, format="json").status_code == 200
    assert in_use() == 1


def test_allocation_to_another_merchants_warehouse_is_refused(as_user):
    merchant, other = active_merchant(), active_merchant()
    order = make_order(merchant, OrderStatus.CONFIRMED)
    foreign = warehouse_for(other)
    response = as_user(merchant_owner(merchant)).post(
        f"{URL}{order.pk}/allocate/", {"warehouse": foreign.pk}, format="json"
    )
    assert_error_shape(response, 400, "validation_error")
    order.refresh_from_db()
    assert order.status == "confirmed"


def test_lateness_flags_and_filters():
    from core.access import Caller
    from orders.selectors import order_list

    merchant = active_merchant()
    now = timezone.now()
    on_time = make_order(merchant, ship_by=now + timedelta(hours=10))
    overdue = make_order(merchant, ship_by=now - timedelta(hours=1))
    shipped_late = make_order(
        merchant, OrderStatus.SHIPPED, ship_by=now - timedelta(days=1), deliver_by=now - timedelta(hours=1)
    )
    cancelled = make_order(merchant, OrderStatus.CANCELLED, ship_by=now - timedelta(hours=1))
    rows = {order.pk: order for order in order_list(caller=Caller(user=staff(OPS_MANAGER)))}
    assert rows[on_time.pk].late_to_ship is False
    assert rows[overdue.pk].late_to_ship is True
    assert rows[shipped_late.pk].late_to_ship is True
    assert rows[shipped_late.pk].late_delivery is True
    assert rows[cancelled.pk].late_to_ship is False


def test_the_list_filters_by_late_to_ship_and_status(as_user):
    merchant = active_merchant()
    now = timezone.now()
    overdue = make_order(merchant, ship_by=now - timedelta(hours=1))
    make_order(merchant, ship_by=now + timedelta(hours=1))
    client = as_user(merchant_owner(merchant))
    late = client.get(URL, {"late_to_ship": "true"}).json()
    assert [row["id"] for row in late["results"]] == [overdue.pk]
    assert client.get(URL, {"status": "pending"}).json()["count"] == 2
    assert client.get(URL, {"status": "shipped"}).json()["count"] == 0


@pytest.mark.parametrize("rows", [10, 100])
def test_the_order_list_costs_the_same_queries_at_any_size(as_user, django_assert_num_queries, rows):
    merchant = active_merchant()
    for _ in range(rows):
        make_order(merchant, items=3)
    client = as_user(merchant_owner(merchant))
    client.get(URL)  # warm the token's user
    # the token with its user, the count, the page (scoped by a membership subquery), its items
    with django_assert_num_queries(4):
        response = client.get(URL, {"page_size": 200})
    assert response.json()["count"] == rows
    assert all(len(row["items"]) == 3 for row in response.json()["results"])


def test_the_merchant_sees_only_its_orders(as_user):
    mine, theirs = active_merchant(), active_merchant()
    own = make_order(mine)
    make_order(theirs)
    body = as_user(merchant_owner(mine)).get(URL).json()
    assert [row["id"] for row in body["results"]] == [own.pk]


# --- Buyer lookup ----------------------------------------------------------------------------

LOOKUP = "/api/v1/orders/lookup/"


@pytest.fixture
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_the_buyer_sees_status_and_tracking_only(api, fresh_throttle):
    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.SHIPPED, external_id="SO-77")
    response = api.post(LOOKUP, {"external_id": "SO-77", "buyer_ref": "buyer-1"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "external_id": "SO-77",
        "parcels": [
            {
                "status": "shipped",
                "carrier": "SF",
                "tracking_number": order.tracking_number,
                "shipment_status": "created",
                "eta": None,
                "events": [],
            }
        ],
    }
    wrong_buyer = api.post(LOOKUP, {"external_id": "SO-77", "buyer_ref": "buyer-2"}, format="json")
    assert_error_shape(wrong_buyer, 404, "not_found")


@override_settings(ORDER_LOOKUP_RATE="3/min")
def test_the_lookup_is_rate_limited(api, fresh_throttle):
    answers = [api.post(LOOKUP, {"external_id": "nope", "buyer_ref": "x"}, format="json").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]


def test_money_is_decimal_in_the_database(as_key):
    merchant = active_merchant()
    as_key("orders:write").post(URL, order_body(merchant), format="json")
    assert Order.objects.get().total == Decimal("149.80")
