"""Orders at chosen times, reached through the real order services, and scores through the real scoring run."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from credit.models import CreditScore
from credit.services import merchants_score
from orders import services
from orders.models import Order, Warehouse
from tests.orders.factories import SHANGHAI_HUANGPU, ensure_regions, warehouse_for


def order_at(
    merchant,
    *,
    placed: datetime,
    shipped: datetime | None = None,
    delivered: datetime | None = None,
    cancelled: bool = False,
    ship_by: datetime | None = None,
    deliver_by: datetime | None = None,
    time_zone: str | None = None,
) -> Order:
    ensure_regions()
    order = services.order_create(
        merchant=merchant,
        external_id=f"CR-{Order.objects.count() + 1}-{merchant.pk}",
        buyer_ref="buyer-1",
        ship_to_region=SHANGHAI_HUANGPU,
        items=[
            {"sku": "SKU", "name": "Item", "quantity": 1, "unit_price": Decimal("10.00"), "weight_kg": Decimal("0.5")}
        ],
        total=Decimal("10.00"),
        actor=None,
        placed_at=placed,
        ship_by=ship_by,
        deliver_by=deliver_by,
        time_zone=time_zone,
    )
    if cancelled:
        return services.order_cancel(order=order, reason="buyer asked", actor=None)
    if shipped is None:
        return order
    order = services.order_confirm(order=order, actor=None)
    warehouse = Warehouse.objects.filter(merchant=merchant).first() or warehouse_for(merchant)
    order = services.order_allocate(order=order, warehouse=warehouse, actor=None)
    order = services.order_pack(order=order, actor=None)
    order = services.order_ship(order=order, carrier="SF", tracking_number=f"SF{order.pk:010d}", actor=None, at=shipped)
    if delivered is not None:
        order = services.order_deliver(order=order, actor=None, at=delivered)
    return order


def days_ago(days: float) -> datetime:
    return timezone.now() - timedelta(days=days)


def score_now(*merchants, window_days: int = 90, as_of: datetime | None = None) -> dict[int, CreditScore]:
    as_of = as_of or timezone.now()
    merchants_score(merchant_ids=[m.pk for m in merchants], as_of=as_of, window_days=window_days)
    return {
        s.merchant_id: s
        for s in CreditScore.objects.filter(as_of=as_of, window_days=window_days).prefetch_related("components")
    }


def components(score: CreditScore) -> dict:
    return {c.name: c for c in score.components.all()}
