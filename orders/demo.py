"""Demo orders and returns in every state, for `seed_demo`. Matched on external ids, so safe to re-run."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import Region, RegionLevel
from core.regions import regions_load_brazil
from orders import services
from orders.choices import OrderStatus, ReturnStatus
from orders.models import Order, Warehouse

# (province, city, county) for the demo merchants' buyers, in case load_regions has not run
DEMO_REGIONS = [
    (("310000", "上海市"), ("310100", "市辖区"), ("310101", "黄浦区")),
    (("440000", "广东省"), ("440300", "深圳市"), ("440305", "南山区")),
]
ORDER_PATH = [
    OrderStatus.CONFIRMED,
    OrderStatus.ALLOCATED,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
]
RETURN_PATH = {
    ReturnStatus.REQUESTED: [],
    ReturnStatus.APPROVED: ["approve"],
    ReturnStatus.REJECTED: ["reject"],
    ReturnStatus.ITEM_RECEIVED: ["approve", "receive"],
    ReturnStatus.REFUNDED: ["approve", "receive", "refund"],
    ReturnStatus.EXCHANGED: ["approve", "receive", "exchange"],
    ReturnStatus.CLOSED: ["approve", "receive", "refund", "close"],
}


def ensure_demo_regions() -> None:
    regions_load_brazil()
    for (p_code, p_name), (c_code, c_name), (k_code, k_name) in DEMO_REGIONS:
        province, _ = Region.objects.get_or_create(
            code=p_code, defaults={"name": p_name, "level": RegionLevel.PROVINCE, "country": "CN"}
        )
        city, _ = Region.objects.get_or_create(
            code=c_code, defaults={"name": c_name, "level": RegionLevel.CITY, "country": "CN", "parent": province}
        )
        Region.objects.get_or_create(
            code=k_code,
            defaults={
                "name": k_name,
                "level": RegionLevel.COUNTY,
                "country": "CN",
                "parent": city,
                "deliverable": True,
            },
        )


def _advance(order: Order, target: str, warehouse: Warehouse, actor) -> Order:
    if target == OrderStatus.CANCELLED:
        return services.order_cancel(order=order, reason="buyer changed their mind", actor=actor)
    for step in ORDER_PATH:
        if order.status == target:
            break
        if step == OrderStatus.CONFIRMED:
            order = services.order_confirm(order=order, actor=actor)
        elif step == OrderStatus.ALLOCATED:
            order = services.order_allocate(order=order, warehouse=warehouse, actor=actor)
        elif step == OrderStatus.PACKED:
            order = services.order_pack(order=order, actor=actor)
        elif step == OrderStatus.SHIPPED:
            order = services.order_ship(order=order, carrier="SF", tracking_number=f"SF{order.pk:012d}", actor=actor)
        elif step == OrderStatus.DELIVERED:
            order = services.order_deliver(order=order, actor=actor)
        elif step == OrderStatus.COMPLETED:
            order = services.order_complete(order=order, actor=actor)
    return order


def seed_demo_orders(*, merchant, region: str, actor) -> int:
    """One order per status and one return per return status; returns how many orders were added."""
    ensure_demo_regions()
    warehouse = Warehouse.objects.filter(merchant=merchant).first() or services.warehouse_create(
        merchant=merchant, name="Main warehouse", region=region, capacity=500, actor=actor
    )
    services.return_policy_of(merchant.pk).pk or services.return_policy_set(
        merchant=merchant,
        window_days=7,
        return_shipping_paid_by="buyer",
        restocking_fee_percent=Decimal("5"),
        actor=actor,
    )
    prefix = merchant.external_ref or f"M{merchant.pk}"
    wanted = [(f"{prefix}-{status}", status) for status in OrderStatus.values]
    wanted += [(f"{prefix}-return-{status}", OrderStatus.DELIVERED) for status in RETURN_PATH]
    existing = set(Order.objects.filter(merchant=merchant).values_list("external_id", flat=True))
    added = 0
    now = timezone.now()
    for number, (external_id, status) in enumerate(wanted):
        if external_id in existing:
            continue
        placed = now - timedelta(hours=6 * (len(wanted) - number))
        order = services.order_create(
            merchant=merchant,
            external_id=external_id,
            buyer_ref=f"buyer-{number:03d}",
            ship_to_region=region,
            items=[
                {
                    "sku": "DEMO-A",
                    "name": "Demo item A",
                    "quantity": 2,
                    "unit_price": Decimal("49.00"),
                    "weight_kg": Decimal("0.4"),
                },
                {
                    "sku": "DEMO-B",
                    "name": "Demo item B",
                    "quantity": 1,
                    "unit_price": Decimal("120.00"),
                    "weight_kg": Decimal("1.2"),
                },
            ],
            total=Decimal("218.00"),
            placed_at=placed,
            deliver_by=placed + timedelta(days=5),
            actor=actor,
        )
        order = _advance(order, status, warehouse, actor)
        added += 1
        if "-return-" in external_id:
            return_status = external_id.rsplit("-return-", 1)[1]
            item = order.items.order_by("line_no").first()
            kind = "exchange" if return_status == ReturnStatus.EXCHANGED else "return"
            request = services.return_request_create(
                order=order, type=kind, reason="defective", items=[{"order_item": item.pk, "quantity": 1}], actor=actor
            )
            for step in RETURN_PATH[return_status]:
                if step == "approve":
                    request = services.return_approve(request=request, actor=actor)
                elif step == "reject":
                    request = services.return_reject(request=request, actor=actor, note="photos show normal wear")
                elif step == "receive":
                    request = services.return_receive(request=request, actor=actor)
                elif step == "refund":
                    request = services.return_refund(request=request, actor=actor)
                elif step == "exchange":
                    request = services.return_exchange(request=request, actor=actor)
                elif step == "close":
                    request = services.return_close(request=request, actor=actor)
    return added
