"""Races on PostgreSQL, in threads: one idempotency key creates one order; two `ship` calls make one transition."""

import threading

import pytest
from django.db import connection

from core.models import AuditEntry
from orders.choices import OrderStatus
from orders.models import Order
from tests.factories import merchant_owner
from tests.orders.factories import active_merchant, make_order, order_body

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def race(calls):
    """Run the callables at once; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(10)
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_requests_with_one_key_create_one_order(as_key):
    merchant = active_merchant()
    client = as_key("orders:write")
    body = order_body(merchant)
    results = race([lambda: client.post("/api/v1/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k")] * 4)
    codes = sorted(response.status_code for response in results)
    # one created it; the others were replayed (201) or told it is still in flight (409)
    assert set(codes) <= {201, 409} and 201 in codes
    assert Order.objects.filter(merchant=merchant, external_id="SO-1001").count() == 1
    created = [r.json()["id"] for r in results if r.status_code == 201]
    assert len(set(created)) == 1


def test_two_concurrent_ships_make_one_transition(as_user):
    merchant = active_merchant()
    order = make_order(merchant, OrderStatus.PACKED)
    client_a, client_b = as_user(merchant_owner(merchant)), as_user(merchant_owner(merchant))
    url = f"/api/v1/orders/{order.pk}/ship/"
    results = race(
        [
            lambda: client_a.post(url, {"carrier": "SF", "tracking_number": "A-1"}, format="json"),
            lambda: client_b.post(url, {"carrier": "YTO", "tracking_number": "B-2"}, format="json"),
        ]
    )
    assert sorted(r.status_code for r in results) == [200, 409]
    order.refresh_from_db()
    winner = next(r for r in results if r.status_code == 200).json()
    assert (order.carrier, order.tracking_number) == (winner["carrier"], winner["tracking_number"])
    assert AuditEntry.objects.filter(object_id=str(order.pk), action="order.shipped").count() == 1
