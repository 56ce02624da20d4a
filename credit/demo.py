"""Demo credit data for `seed_demo`: scores for the insights pages and a day of staged orders that fake-order
detection flags (one flag already dismissed by the risk officer). Safe to run again."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from credit.models import CreditScore, FlagStatus, SuspicionFlag, SuspicionRule
from credit.services import merchants_score
from credit.services.detection import suspicion_flag_dismiss, suspicion_flags_detect
from merchants.models import Merchant
from orders import services as order_services
from orders.models import Order, OrderReview, Warehouse

BULK_ORDERS = 6
FAST_DELIVERIES = 3


def _order(merchant, *, external_id: str, buyer: str, region: str, placed: datetime, actor) -> Order:
    return order_services.order_create(
        merchant=merchant,
        external_id=external_id,
        buyer_ref=buyer,
        ship_to_region=region,
        items=[
            {
                "sku": "DEMO-F",
                "name": "Demo item F",
                "quantity": 1,
                "unit_price": Decimal("9.90"),
                "weight_kg": Decimal("0.2"),
            }
        ],  # fmt: skip
        total=Decimal("9.90"),
        placed_at=placed,
        actor=actor,
    )


def seed_demo_detection(*, merchant: Merchant, region: str, actor, reviewer) -> int:
    """Yesterday: six orders from one buyer, each with a five-star review written before delivery, and three
    parcels delivered half an hour after shipping without a tracking event. Returns the flags raised."""
    zone = timezone.get_default_timezone()
    yesterday = datetime.combine(timezone.localdate(timezone=zone) - timedelta(days=1), time.min, tzinfo=zone)
    prefix = merchant.external_ref or f"M{merchant.pk}"
    existing = set(Order.objects.filter(merchant=merchant).values_list("external_id", flat=True))
    for n in range(BULK_ORDERS):
        external_id = f"{prefix}-bulk-{n}"
        if external_id in existing:
            continue
        order = _order(merchant, external_id=external_id, buyer="demo-bulk-buyer", region=region,
                       placed=yesterday + timedelta(hours=9, minutes=7 * n), actor=actor)  # fmt: skip
        OrderReview.objects.create(
            order=order, score=5, title="Great!", created_at=order.placed_at + timedelta(hours=2)
        )
    warehouse = Warehouse.objects.filter(merchant=merchant).first()
    for n in range(FAST_DELIVERIES if warehouse else 0):
        external_id = f"{prefix}-instant-{n}"
        if external_id in existing:
            continue
        placed = yesterday + timedelta(hours=8, minutes=10 * n)
        order = _order(merchant, external_id=external_id, buyer=f"instant-buyer-{n}", region=region, placed=placed,
                       actor=actor)  # fmt: skip
        order = order_services.order_confirm(order=order, actor=actor)
        order = order_services.order_allocate(order=order, warehouse=warehouse, actor=actor)
        order = order_services.order_pack(order=order, actor=actor)
        shipped = placed + timedelta(hours=2)
        order = order_services.order_ship(
            order=order, carrier="SF", tracking_number=f"SFX{order.pk:010d}", actor=actor, at=shipped
        )
        order_services.order_deliver(order=order, actor=actor, at=shipped + timedelta(minutes=30))
    raised = suspicion_flags_detect(as_of=yesterday + timedelta(days=1), window_days=1).created
    burst = SuspicionFlag.objects.filter(
        merchant=merchant, rule=SuspicionRule.REVIEW_BURST, status=FlagStatus.OPEN, window_start=yesterday
    ).first()
    if burst is not None:
        suspicion_flag_dismiss(
            flag=burst, actor=reviewer, note="Counted with the bulk-buyer flag: one buyer reviewing each order."
        )
    return len(raised)


def seed_demo_scores(*, actor) -> int:
    """A first scoring run so the staff insights pages have something to show (once)."""
    if CreditScore.objects.exists():
        return 0
    ids = list(Merchant.objects.values_list("pk", flat=True))
    return len(merchants_score(merchant_ids=ids, as_of=timezone.now(), actor=actor)) if ids else 0
