"""Reads of fake-order detection. Flags are for platform staff only: anyone else sees none at all."""

from datetime import datetime

from django.db.models import Count, Max, Prefetch, QuerySet
from django.http import Http404

from core.access import Caller
from credit.models import SuspicionFlag
from orders.models import Order


def suspicion_flag_list(*, caller: Caller) -> QuerySet[SuspicionFlag]:
    """Every flag for platform staff; nothing for merchants or partner keys, not even their own merchant's
    (a flag is an unproven suspicion, and telling the merchant would tip off whoever placed the orders)."""
    if not caller.is_staff:
        return SuspicionFlag.objects.none()
    return SuspicionFlag.objects.select_related("merchant", "reviewed_by").prefetch_related(
        Prefetch("orders", queryset=Order.objects.only("id").order_by("id"))
    )


def suspicion_flag_get(*, caller: Caller, pk) -> SuspicionFlag:
    try:
        return suspicion_flag_list(caller=caller).get(pk=pk)
    except (SuspicionFlag.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def suspicion_flag_queue(
    *,
    status: str | None = None,
    rule: str | None = None,
    merchant_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[SuspicionFlag]:
    """The staff queue, newest first; the window filters apply to the day the pattern happened on."""
    queryset = SuspicionFlag.objects.select_related("merchant", "reviewed_by")
    if status:
        queryset = queryset.filter(status=status)
    if rule:
        queryset = queryset.filter(rule=rule)
    if merchant_id:
        queryset = queryset.filter(merchant_id=merchant_id)
    if since:
        queryset = queryset.filter(window_end__gt=since)
    if until:
        queryset = queryset.filter(window_start__lt=until)
    return queryset.order_by("-window_start", "-id")


def suspicion_flag_orders(*, flag: SuspicionFlag) -> QuerySet[Order]:
    """The orders a flag is about, with what a reviewer checks: tracking events and reviews."""
    return (
        Order.objects.filter(suspicion_flags=flag)
        .select_related("ship_to_region")
        .annotate(
            tracking_events=Count("shipment__events", distinct=True),
            review_count=Count("reviews", distinct=True),
            best_review=Max("reviews__score"),
        )
        .order_by("placed_at", "id")
    )


def suspicion_flags_of_merchant(*, merchant_id: int) -> QuerySet[SuspicionFlag]:
    return SuspicionFlag.objects.filter(merchant_id=merchant_id).order_by("-window_start", "-id")
