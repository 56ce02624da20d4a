"""Orders reached through the real services, and the few regions tests need without the shared data."""

from decimal import Decimal

from core.models import Region, RegionLevel
from core.regions import regions_load_brazil
from merchants.services import merchant_activate
from orders import services
from orders.choices import OrderStatus
from orders.models import Order, Warehouse
from tests.factories import MerchantFactory

SHANGHAI_HUANGPU = "310101"


def ensure_regions() -> None:
    province, _ = Region.objects.get_or_create(
        code="310000", defaults={"name": "上海市", "level": RegionLevel.PROVINCE, "country": "CN"}
    )
    city, _ = Region.objects.get_or_create(
        code="310100", defaults={"name": "市辖区", "level": RegionLevel.CITY, "country": "CN", "parent": province}
    )
    Region.objects.get_or_create(
        code=SHANGHAI_HUANGPU,
        defaults={"name": "黄浦区", "level": RegionLevel.COUNTY, "country": "CN", "parent": city, "deliverable": True},
    )
    regions_load_brazil()


def active_merchant(**kwargs):
    ensure_regions()
    merchant = MerchantFactory(**kwargs)
    return merchant_activate(merchant=merchant, actor=None, reason="test")


def order_body(merchant, **overrides) -> dict:
    body = {
        "merchant": merchant.pk,
        "external_id": "SO-1001",
        "buyer_ref": "buyer-42",
        "ship_to_region": SHANGHAI_HUANGPU,
        "items": [
            {"sku": "TEE-RED-M", "name": "T-shirt", "quantity": 2, "unit_price": "59.90", "weight_kg": "0.250"},
            {"sku": "CAP-01", "name": "Cap", "quantity": 1, "unit_price": "30.00", "weight_kg": "0.100"},
        ],
        "total": "149.80",
    }
    body.update(overrides)
    return body


def warehouse_for(merchant, capacity: int = 100, name: str = "Main") -> Warehouse:
    ensure_regions()
    return services.warehouse_create(
        merchant=merchant, name=name, region=SHANGHAI_HUANGPU, capacity=capacity, actor=None
    )


PATH = [
    OrderStatus.CONFIRMED,
    OrderStatus.ALLOCATED,
    OrderStatus.PACKED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
]


def make_order(
    merchant, status: str = OrderStatus.PENDING, external_id: str | None = None, items: int = 2, **kwargs
) -> Order:
    """An order of `merchant` moved through the services to `status`."""
    ensure_regions()
    lines = [
        {
            "sku": f"SKU-{n}",
            "name": f"Item {n}",
            "quantity": 1,
            "unit_price": Decimal("10.00"),
            "weight_kg": Decimal("0.5"),
        }
        for n in range(items)
    ]
    order = services.order_create(
        merchant=merchant,
        external_id=external_id or f"EXT-{Order.objects.count() + 1}-{merchant.pk}",
        buyer_ref="buyer-1",
        ship_to_region=SHANGHAI_HUANGPU,
        items=lines,
        total=Decimal("10.00") * items,
        actor=None,
        **kwargs,
    )
    if status == OrderStatus.CANCELLED:
        return services.order_cancel(order=order, reason="buyer asked", actor=None)
    for step in PATH:
        if order.status == status:
            break
        if step == OrderStatus.CONFIRMED:
            order = services.order_confirm(order=order, actor=None)
        elif step == OrderStatus.ALLOCATED:
            warehouse = Warehouse.objects.filter(merchant=merchant).first() or warehouse_for(merchant)
            order = services.order_allocate(order=order, warehouse=warehouse, actor=None)
        elif step == OrderStatus.PACKED:
            order = services.order_pack(order=order, actor=None)
        elif step == OrderStatus.SHIPPED:
            order = services.order_ship(order=order, carrier="SF", tracking_number=f"SF{order.pk:010d}", actor=None)
        elif step == OrderStatus.DELIVERED:
            order = services.order_deliver(order=order, actor=None)
        elif step == OrderStatus.COMPLETED:
            order = services.order_complete(order=order, actor=None)
    assert order.status == status
    return order
