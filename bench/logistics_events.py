"""Tracking-event ingestion: 10,000 events pushed through the API in batched requests (500 per request,
out of order, with an Idempotency-Key each), next to a raw bulk insert of the same rows in the same run.
Goal: at least 0.3x the raw insert's events per second.

The shipments' statuses are derived inside each request; orders that a delivery completes are handed to a
Celery task on commit (a worker's job with a broker, in-process in the embedded mode); that work is timed
separately below.
"""

import random
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from _django import bench_database

SHIPMENTS = 1000
EVENTS_PER_SHIPMENT = 10
BATCH = 500


def main() -> None:
    with bench_database():
        from django.conf import settings
        from django.db import connection
        from django.utils import timezone
        from rest_framework.test import APIClient

        from core.services import api_key_create
        from logistics import services
        from logistics.models import Shipment, TrackingEvent
        from orders.models import Order
        from tests.orders.factories import active_merchant, warehouse_for

        merchant = active_merchant()
        warehouse = warehouse_for(merchant, capacity=SHIPMENTS)
        now = timezone.now()
        shipped = now - timedelta(days=3)
        orders = Order.objects.bulk_create(
            Order(
                merchant=merchant,
                external_id=f"B-{n}",
                buyer_ref="bench",
                ship_to_region_id="310101",
                items_total=Decimal("10"),
                total=Decimal("10"),
                status="shipped",
                warehouse=warehouse,
                carrier="SF",
                tracking_number=f"SF{n:010d}",
                shipped_at=shipped,
            )
            for n in range(SHIPMENTS)
        )
        shipments = Shipment.objects.bulk_create(
            Shipment(
                merchant=merchant,
                order=order,
                carrier_code="SF",
                tracking_number=order.tracking_number,
                origin="310000",
                destination="310000",
                shipped_at=shipped,
            )
            for order in orders
        )
        codes = ["in_transit"] * (EVENTS_PER_SHIPMENT - 2) + ["out_for_delivery", "delivered"]
        events = [
            {
                "shipment": shipment,
                "code": code,
                "occurred_at": shipped + timedelta(hours=4 * step + 1),
                "location": f"hub {step}",
                "description": f"{code} scan",
            }
            for shipment in shipments
            for step, code in enumerate(codes)
        ]
        random.Random(6).shuffle(events)
        total = len(events)

        # Baseline: the same rows straight into the table with bulk_create.
        start = time.perf_counter()
        TrackingEvent.objects.bulk_create(
            [
                TrackingEvent(
                    shipment=e["shipment"],
                    code=e["code"],
                    occurred_at=e["occurred_at"],
                    location=e["location"],
                    description=e["description"],
                )
                for e in events
            ],
            batch_size=1000,
        )
        raw = time.perf_counter() - start
        TrackingEvent.objects.all().delete()

        _key, raw_key = api_key_create(name="carrier", scopes=["logistics:write"], merchant_id=None)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
        bodies = [
            {
                "events": [
                    {
                        "tracking_number": e["shipment"].tracking_number,
                        "carrier": "SF",
                        "code": e["code"],
                        "occurred_at": e["occurred_at"].isoformat(),
                        "location": e["location"],
                        "description": e["description"],
                    }
                    for e in events[offset : offset + BATCH]
                ]
            }
            for offset in range(0, total, BATCH)
        ]
        start = time.perf_counter()
        for body in bodies:
            response = client.post(
                "/api/v1/logistics/tracking-events/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
            )
            assert response.status_code == 200, response.content[:300]
        api = time.perf_counter() - start
        stored = TrackingEvent.objects.count()
        delivered = Shipment.objects.filter(status="delivered").count()
        assert stored == total and delivered == SHIPMENTS, (stored, delivered)

        start = time.perf_counter()
        done = services.shipment_orders_deliver(shipment_ids=[s.pk for s in shipments])
        worker = time.perf_counter() - start

        print(f"database: {connection.vendor}; {SHIPMENTS} shipments x {EVENTS_PER_SHIPMENT} events, shuffled")
        print(f"raw bulk insert      : {total / raw:9.0f} events/s ({raw:.2f} s)")
        print(
            f"API, {len(bodies)} x {BATCH}-event requests: {total / api:9.0f} events/s ({api:.2f} s), "
            f"statuses derived, {delivered} shipments delivered"
        )
        print(f"ratio API / raw insert: {raw / api:.2f}x (goal >= 0.30x)")
        mode = "in-process (embedded)" if settings.CELERY_TASK_ALWAYS_EAGER else "queued for the worker"
        print(f"order deliveries ({mode}): {done} orders in {worker:.2f} s, run separately as the worker would")


if __name__ == "__main__":
    main()
