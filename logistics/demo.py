"""Demo logistics for `seed_demo`: the demo carriers, shipped orders with tracking events and costs, measured
quality, and exceptions (a lost parcel, a stalled one). Safe to run again."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from logistics import services
from logistics.demo_carriers import demo_carriers_load
from logistics.models import CarrierRate, Shipment
from orders import services as order_services
from orders.models import Order, Warehouse

DEMO_CARRIER_CYCLE = ("ZTO", "SF", "YTO", "JD", "YD", "STO", "JT", "EMS")
SHIPMENTS_PER_MERCHANT = 16


def seed_demo_logistics(*, merchant, region: str, actor) -> int:
    """Shipped orders spread over the last weeks; returns how many were added."""
    if not CarrierRate.objects.filter(carrier__is_demo=True).exists():
        demo_carriers_load()
    warehouse = Warehouse.objects.filter(merchant=merchant).first()
    if warehouse is None:
        return 0
    prefix = merchant.external_ref or f"M{merchant.pk}"
    existing = set(Order.objects.filter(merchant=merchant).values_list("external_id", flat=True))
    now = timezone.now()
    added = 0
    for number in range(SHIPMENTS_PER_MERCHANT):
        external_id = f"{prefix}-parcel-{number:02d}"
        if external_id in existing:
            continue
        carrier = DEMO_CARRIER_CYCLE[number % len(DEMO_CARRIER_CYCLE)]
        shipped = now - timedelta(days=2 + 3 * number, hours=number + 3)
        order = order_services.order_create(
            merchant=merchant,
            external_id=external_id,
            buyer_ref=f"parcel-buyer-{number:02d}",
            ship_to_region=region,
            items=[
                {
                    "sku": "DEMO-P",
                    "name": "Demo parcel",
                    "quantity": 1,
                    "unit_price": Decimal("88.00"),
                    "weight_kg": Decimal("0.6") + Decimal(number % 4),
                }
            ],
            total=Decimal("88.00"),
            placed_at=shipped - timedelta(hours=20),
            actor=actor,
        )
        order = order_services.order_confirm(order=order, actor=actor)
        order = order_services.order_allocate(order=order, warehouse=warehouse, actor=actor)
        order = order_services.order_pack(order=order, actor=actor)
        order = order_services.order_ship(
            order=order, carrier=carrier, tracking_number=f"{carrier}{order.pk:012d}", actor=actor, at=shipped
        )
        shipment = Shipment.objects.get(order=order)
        _track(shipment, number, shipped, now, actor)
        for kind, amount in (
            ("transport", shipment.quoted_price or Decimal("8.00")),
            ("packaging", Decimal("1.50")),
            ("warehousing", Decimal("0.80")),
            ("delivery", Decimal("0.00") if number % 3 else Decimal("2.00")),
        ):
            services.cost_line_record(
                order=order, kind=kind, amount=amount, actor=actor, incurred_on=timezone.localdate(shipped)
            )
        added += 1
    if added:
        services.carrier_quality_refresh(now=now)
        services.shipment_exceptions_detect(now=now)
    return added


def _track(shipment: Shipment, number: int, shipped, now, actor) -> None:
    """Number 0 stalls (no scan yet, shipped 2 days ago), number 1 is lost, the rest move on and arrive."""
    if number == 0:
        return
    # most parcels arrive a few hours inside their SLA; every fifth one is a day late
    transit = timedelta(days=shipment.sla_days or 2) - timedelta(hours=5)
    if number % 5 == 4:
        transit += timedelta(hours=30)
    events = [
        ("in_transit", shipped + timedelta(hours=3), "始发网点 origin depot"),
        ("in_transit", shipped + timedelta(hours=20), "转运中心 sorting centre"),
    ]
    if number == 1:
        events.append(("lost", shipped + timedelta(hours=40), "转运中心 sorting centre"))
    else:
        events += [
            ("out_for_delivery", shipped + transit - timedelta(hours=4), "派送网点 delivery station"),
            ("delivered", shipped + transit, "收件人 consignee"),
        ]
    services.tracking_events_ingest(
        events=[
            {"shipment_id": shipment.pk, "code": code, "occurred_at": at, "location": where, "description": ""}
            for code, at, where in events
            if at <= now
        ],
        actor=actor,
    )
    services.shipment_orders_deliver(shipment_ids=[shipment.pk])
