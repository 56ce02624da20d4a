"""Reads of carriers, shipments, exceptions and costs, scoped to the caller; reports computed in the database."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Ceil, Coalesce, Greatest, TruncMonth
from django.http import Http404
from django.utils import timezone

from core.access import Caller
from logistics.choices import CostKind
from logistics.models import (
    Carrier,
    CarrierQuality,
    CarrierRate,
    CostLine,
    RecommendationWeights,
    Shipment,
    ShipmentException,
    TrackingEvent,
)
from logistics.pricing import lane_price, province_of
from logistics.recommendation import CRITERIA, Candidate, rank
from merchants.selectors import scope_to_caller

REPORT_WINDOW = timedelta(days=90)
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY)


# --- Carriers --------------------------------------------------------------------------------


def carrier_list() -> QuerySet[Carrier]:
    return Carrier.objects.filter(is_active=True).order_by("code")


def latest_quality(carrier_ids) -> dict[int, CarrierQuality]:
    newest = CarrierQuality.objects.filter(carrier_id=OuterRef("carrier_id")).order_by("-as_of").values("pk")[:1]
    return {
        row.carrier_id: row for row in CarrierQuality.objects.filter(carrier_id__in=carrier_ids, pk=Subquery(newest))
    }


def warehouse_region_of(*, merchant_id: int) -> str | None:
    """Where the merchant's parcels leave from: its first active warehouse."""
    from orders.models import Warehouse

    return (
        Warehouse.objects.filter(merchant_id=merchant_id, is_active=True)
        .order_by("id")
        .values_list("region_id", flat=True)
        .first()
    )


def carrier_recommend(*, origin: str, destination: str, weight_kg: Decimal) -> tuple[list[Candidate], dict]:
    """Carriers serving the lane between the two provinces, ranked by the ops-weighted score."""
    origin, destination = province_of(origin), province_of(destination)
    rates = list(
        CarrierRate.objects.filter(origin=origin, destination=destination, carrier__is_active=True).select_related(
            "carrier"
        )
    )
    quality = latest_quality([rate.carrier_id for rate in rates])
    weights_row = RecommendationWeights.objects.filter(pk=1).first() or RecommendationWeights()
    weights = {name: getattr(weights_row, name) for name in CRITERIA}
    candidates = []
    for rate in rates:
        measured = quality.get(rate.carrier_id)
        candidates.append(
            Candidate(
                code=rate.carrier.code,
                name=rate.carrier.name,
                price=lane_price(
                    first_price=rate.first_price,
                    additional_price_per_kg=rate.additional_price_per_kg,
                    first_weight_kg=rate.first_weight_kg,
                    weight_kg=weight_kg,
                ),
                sla_days=rate.sla_days,
                on_time_rate=measured.on_time_rate if measured else None,
                exception_rate=measured.exception_rate if measured else None,
            )
        )
    return rank(candidates, weights), weights


# --- Shipments -------------------------------------------------------------------------------


def shipment_list(*, caller: Caller) -> QuerySet[Shipment]:
    queryset = Shipment.objects.select_related("carrier").prefetch_related(
        Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
    )
    return scope_to_caller(queryset, caller=caller)


def shipment_get(*, caller: Caller, pk) -> Shipment:
    try:
        return shipment_list(caller=caller).get(pk=pk)
    except (Shipment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def shipments_by_tracking(*, caller: Caller, tracking_numbers: set[str]) -> dict:
    """Shipment ids the caller may update, by (carrier code, tracking number) and by a number that is unique."""
    queryset = scope_to_caller(Shipment.objects.filter(tracking_number__in=tracking_numbers), caller=caller)
    found: dict = {}
    seen: dict[str, int] = defaultdict(int)
    for number, carrier, pk in queryset.values_list("tracking_number", "carrier_code", "pk"):
        found[(carrier.upper(), number)] = pk
        found[number] = pk
        seen[number] += 1
    for number, count in seen.items():
        if count > 1:
            del found[number]
    return found


def tracking_for_orders(order_ids: list[int]) -> dict[int, Shipment]:
    """The buyer's view: each order's shipment with its events (no merchant data)."""
    return {
        shipment.order_id: shipment
        for shipment in Shipment.objects.filter(order_id__in=order_ids).prefetch_related(
            Prefetch("events", queryset=TrackingEvent.objects.order_by("occurred_at", "id"))
        )
    }


def exception_list(*, caller: Caller) -> QuerySet[ShipmentException]:
    queryset = ShipmentException.objects.select_related("shipment", "merchant", "resolved_by")
    return scope_to_caller(queryset, caller=caller)


def cost_line_list(*, caller: Caller) -> QuerySet[CostLine]:
    return scope_to_caller(CostLine.objects.select_related("order"), caller=caller)


# --- Cost analysis ---------------------------------------------------------------------------


def _ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01"))


def cost_analysis(*, caller: Caller, merchant_id: int | None = None, since=None, until=None) -> dict:
    """Cost per order and per kg, by kind, carrier and destination province, and the monthly trend."""
    lines = cost_line_list(caller=caller)
    if merchant_id is not None:
        lines = lines.filter(merchant_id=merchant_id)
    if since is not None:
        lines = lines.filter(incurred_on__gte=since)
    if until is not None:
        lines = lines.filter(incurred_on__lte=until)
    weight = Subquery(
        Shipment.objects.filter(order_id=OuterRef("order_id")).values("weight_kg")[:1],
        output_field=DecimalField(max_digits=9, decimal_places=3),
    )
    per_order = lines.values("order_id").annotate(cost=Sum("amount"), weight=Coalesce(weight, Decimal("0")))
    orders = kg = 0
    total = Decimal("0")
    for row in per_order:
        orders += 1
        total += row["cost"]
        kg += row["weight"]

    def grouped(field: str) -> list[dict]:
        return [
            {"key": row[field] or "", "orders": row["orders"], "total": row["total"]}
            for row in lines.values(field)
            .annotate(orders=Count("order_id", distinct=True), total=Sum("amount"))
            .order_by(field)
        ]

    by_kind = {row["key"]: row["total"] for row in grouped("kind")}
    by_carrier = grouped("order__shipment__carrier_code")
    by_region = grouped("order__shipment__destination")
    for group in (*by_carrier, *by_region):
        group["per_order"] = _ratio(group["total"], group["orders"])
    trend = [
        {
            "month": row["month"].strftime("%Y-%m"),
            "orders": row["orders"],
            "total": row["total"],
            "per_order": _ratio(row["total"], row["orders"]),
        }
        for row in lines.annotate(month=TruncMonth("incurred_on"))
        .values("month")
        .annotate(orders=Count("order_id", distinct=True), total=Sum("amount"))
        .order_by("month")
    ]
    return {
        "orders": orders,
        "total": total,
        "weight_kg": kg,
        "per_order": _ratio(total, orders),
        "per_kg": _ratio(total, kg),
        "by_kind": [{"kind": kind, "total": by_kind.get(kind, Decimal("0"))} for kind in CostKind.values],
        "by_carrier": [{"carrier": g.pop("key"), **g} for g in by_carrier],
        "by_region": [{"region": g.pop("key"), **g} for g in by_region],
        "trend": trend,
    }


# --- Optimisation report ---------------------------------------------------------------------


def _cheapest_meeting_sla():
    """The price of the cheapest active carrier on the shipment's lane within the shipment's SLA."""
    billable = Greatest(
        Cast(Ceil(OuterRef("weight_kg") - F("first_weight_kg")), IntegerField()), Value(0), output_field=IntegerField()
    )
    price = ExpressionWrapper(F("first_price") + F("additional_price_per_kg") * billable, output_field=MONEY)
    return Subquery(
        CarrierRate.objects.filter(
            origin=OuterRef("origin"),
            destination=OuterRef("destination"),
            sla_days__lte=OuterRef("sla_days"),
            carrier__is_active=True,
        )
        .annotate(price=price)
        .order_by("price")
        .values("price")[:1]
    )


def _carrier_at(rates: list[CarrierRate], row: dict) -> str:
    """The code of the (first, alphabetically) carrier whose price for this shipment is the best price."""
    return min(
        rate.carrier.code
        for rate in rates
        if rate.sla_days <= row["sla_days"]
        and lane_price(
            first_price=rate.first_price,
            additional_price_per_kg=rate.additional_price_per_kg,
            first_weight_kg=rate.first_weight_kg,
            weight_kg=row["weight_kg"],
        )
        == row["best_price"]
    )


def optimisation_report(*, caller: Caller, merchant_id: int | None = None, now: datetime | None = None) -> dict:
    """For each shipment of the last 90 days, the cheapest carrier meeting the same SLA; savings per lane.

    The actual cost is the order's recorded transport cost, or the price quoted when it shipped.
    """
    now = now or timezone.now()
    transport = Subquery(
        CostLine.objects.filter(order_id=OuterRef("order_id"), kind=CostKind.TRANSPORT).values("amount")[:1],
        output_field=MONEY,
    )
    shipments = scope_to_caller(
        Shipment.objects.filter(
            shipped_at__gte=now - REPORT_WINDOW, shipped_at__lt=now, sla_days__isnull=False
        ).exclude(origin=""),
        caller=caller,
    )
    if merchant_id is not None:
        shipments = shipments.filter(merchant_id=merchant_id)
    rows = shipments.annotate(
        actual=Coalesce(transport, "quoted_price", output_field=MONEY),
        best_price=_cheapest_meeting_sla(),
    ).values("origin", "destination", "weight_kg", "sla_days", "actual", "best_price")
    rows = [row for row in rows if row["actual"] is not None and row["best_price"] is not None]
    rates: dict[tuple[str, str], list[CarrierRate]] = defaultdict(list)
    lane_filter = Q(pk__in=[])
    for origin, destination in {(row["origin"], row["destination"]) for row in rows}:
        lane_filter |= Q(origin=origin, destination=destination)
    for rate in CarrierRate.objects.filter(lane_filter, carrier__is_active=True).select_related("carrier"):
        rates[(rate.origin, rate.destination)].append(rate)
    lanes: dict[tuple[str, str], dict] = {}
    suggested: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = (row["origin"], row["destination"])
        lane = lanes.setdefault(
            key,
            {"origin": key[0], "destination": key[1], "shipments": 0, "actual": Decimal("0"), "optimal": Decimal("0")},
        )
        best = min(row["best_price"], row["actual"])
        lane["shipments"] += 1
        lane["actual"] += row["actual"]
        lane["optimal"] += best
        if row["best_price"] < row["actual"]:
            suggested[key][_carrier_at(rates[key], row)] += 1
    result = []
    for key, lane in lanes.items():
        lane["savings"] = lane["actual"] - lane["optimal"]
        choices = suggested.get(key)
        lane["suggested_carrier"] = max(sorted(choices), key=choices.get) if choices else None
        result.append(lane)
    result.sort(key=lambda lane: (-lane["savings"], lane["origin"], lane["destination"]))
    return {
        "window_days": REPORT_WINDOW.days,
        "shipments": sum(lane["shipments"] for lane in result),
        "actual": sum((lane["actual"] for lane in result), Decimal("0")),
        "savings": sum((lane["savings"] for lane in result), Decimal("0")),
        "lanes": result,
    }
