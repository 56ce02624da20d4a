"""Shipments reached through the real services: carriers, a Shanghai warehouse, orders shipped to Beijing."""

from datetime import datetime
from decimal import Decimal

from core.models import Region, RegionLevel
from logistics import services
from logistics.models import Carrier, CarrierRate, Shipment
from orders import services as order_services
from orders.models import Order, Warehouse
from tests.orders.factories import active_merchant, ensure_regions, make_order

SHANGHAI = "310000"
BEIJING = "110000"
BEIJING_DONGCHENG = "110101"


def ensure_beijing() -> None:
    ensure_regions()
    province, _ = Region.objects.get_or_create(
        code=BEIJING, defaults={"name": "北京市", "level": RegionLevel.PROVINCE, "country": "CN"}
    )
    city, _ = Region.objects.get_or_create(
        code="110100", defaults={"name": "市辖区", "level": RegionLevel.CITY, "country": "CN", "parent": province}
    )
    Region.objects.get_or_create(
        code=BEIJING_DONGCHENG,
        defaults={"name": "东城区", "level": RegionLevel.COUNTY, "country": "CN", "parent": city, "deliverable": True},
    )


def carrier(code: str, *, first: str, extra: str, sla: int, origin=SHANGHAI, destination=BEIJING) -> Carrier:
    """A carrier with one lane (and the same price and SLA as its defaults)."""
    made, _ = Carrier.objects.get_or_create(
        code=code,
        defaults={
            "name": f"{code} Express",
            "regions": [origin, destination],
            "base_price": Decimal(first),
            "price_per_kg": Decimal(extra),
            "sla_days": sla,
        },
    )
    CarrierRate.objects.update_or_create(
        carrier=made,
        origin=origin,
        destination=destination,
        defaults={"first_price": Decimal(first), "additional_price_per_kg": Decimal(extra), "sla_days": sla},
    )
    return made


def shipped_order(
    merchant=None,
    *,
    carrier_code: str = "SF",
    weight_kg: str = "0.5",
    shipped_at: datetime | None = None,
    external_id: str | None = None,
) -> Order:
    """An order packed in Shanghai and shipped to Beijing with `carrier_code`, one item of `weight_kg`."""
    ensure_beijing()
    merchant = merchant or active_merchant()
    order = order_services.order_create(
        merchant=merchant,
        external_id=external_id or f"L-{Order.objects.count() + 1}-{merchant.pk}",
        buyer_ref="buyer-1",
        ship_to_region=BEIJING_DONGCHENG,
        items=[
            {
                "sku": "BOX",
                "name": "Box",
                "quantity": 1,
                "unit_price": Decimal("50.00"),
                "weight_kg": Decimal(weight_kg),
            }
        ],
        total=Decimal("50.00"),
        actor=None,
    )
    order = order_services.order_confirm(order=order, actor=None)
    warehouse = Warehouse.objects.filter(merchant=merchant).first() or order_services.warehouse_create(
        merchant=merchant, name="Main", region="310101", capacity=10_000, actor=None
    )
    order = order_services.order_allocate(order=order, warehouse=warehouse, actor=None)
    order = order_services.order_pack(order=order, actor=None)
    if shipped_at is not None:
        import time_machine

        with time_machine.travel(shipped_at, tick=False):
            return order_services.order_ship(
                order=order, carrier=carrier_code, tracking_number=f"{carrier_code}{order.pk:010d}", actor=None
            )
    return order_services.order_ship(
        order=order, carrier=carrier_code, tracking_number=f"{carrier_code}{order.pk:010d}", actor=None
    )


def shipment_of(order: Order) -> Shipment:
    return Shipment.objects.get(order=order)


def event(shipment: Shipment, code: str, at: datetime, location: str = "Shanghai hub") -> dict:
    return {"shipment_id": shipment.pk, "code": code, "occurred_at": at, "location": location, "description": ""}


def deliver(shipment: Shipment, at: datetime) -> None:
    services.tracking_events_ingest(events=[event(shipment, "delivered", at, "Beijing")], actor=None)


__all__ = ["active_merchant", "make_order"]
