"""Reads of orders and returns, scoped to the caller, with lateness computed in the database."""

from datetime import datetime

from django.db.models import BooleanField, Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from core.access import Caller
from merchants.selectors import scope_to_caller
from orders.choices import OPEN_IN_WAREHOUSE, OPEN_RETURN_STATUSES, OrderStatus
from orders.models import Order, OrderItem, ReturnItem, ReturnPolicy, ReturnRequest, Warehouse


def late_to_ship_q(now: datetime) -> Q:
    """Handed to the carrier after its ship-by time, or still not handed over once it has passed."""
    not_shipped = Q(shipped_at__isnull=True) & ~Q(status=OrderStatus.CANCELLED)
    return Q(ship_by__isnull=False) & ((not_shipped & Q(ship_by__lt=now)) | Q(shipped_at__gt=F("ship_by")))


def late_delivery_q(now: datetime) -> Q:
    """Delivered after its deliver-by time, or still on its way once it has passed."""
    not_delivered = Q(delivered_at__isnull=True) & ~Q(status=OrderStatus.CANCELLED)
    return Q(deliver_by__isnull=False) & ((not_delivered & Q(deliver_by__lt=now)) | Q(delivered_at__gt=F("deliver_by")))


def with_lateness(queryset: QuerySet[Order], *, now: datetime | None = None) -> QuerySet[Order]:
    now = now or timezone.now()
    # CASE rather than a bare boolean expression: SQL's NULL comparisons must read as "not late".
    return queryset.annotate(
        late_to_ship=Case(
            When(late_to_ship_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
        late_delivery=Case(
            When(late_delivery_q(now), then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )


def order_list(*, caller: Caller, now: datetime | None = None) -> QuerySet[Order]:
    queryset = with_lateness(Order.objects.all(), now=now).prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("line_no"))
    )
    return scope_to_caller(queryset, caller=caller)


def order_get(*, caller: Caller, pk) -> Order:
    try:
        return order_list(caller=caller).get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def order_lookup(*, external_id: str, buyer_ref: str) -> list[Order]:
    """The buyer's view: the orders (one per seller after a cart split) behind their order number."""
    return list(
        Order.objects.filter(external_id=external_id, buyer_ref=buyer_ref)
        .only("status", "carrier", "tracking_number", "external_id", "merchant_id")
        .order_by("id")
    )


def warehouse_list(*, caller: Caller) -> QuerySet[Warehouse]:
    queryset = Warehouse.objects.annotate(
        in_use=Count("orders", filter=Q(orders__status__in=OPEN_IN_WAREHOUSE))
    ).order_by("name", "id")
    return scope_to_caller(queryset, caller=caller)


def return_policy_list(*, caller: Caller) -> QuerySet[ReturnPolicy]:
    return scope_to_caller(ReturnPolicy.objects.order_by("merchant_id"), caller=caller)


def return_list(*, caller: Caller, order_id=None) -> QuerySet[ReturnRequest]:
    queryset = ReturnRequest.objects.select_related("order").prefetch_related(
        Prefetch("items", queryset=ReturnItem.objects.select_related("order_item").order_by("id"))
    )
    if order_id is not None:
        queryset = queryset.filter(order_id=order_id)
    return scope_to_caller(queryset, caller=caller)


def returns_inbox(*, caller: Caller) -> QuerySet[ReturnRequest]:
    return return_list(caller=caller).filter(status__in=OPEN_RETURN_STATUSES).order_by("created_at", "id")
