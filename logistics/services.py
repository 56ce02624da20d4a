"""Every write to carriers, shipments, tracking events, exceptions and cost lines goes through here."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count, DecimalField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, actor_fields, audit
from core.models import AuditEntry
from core.transitions import ensure_transition
from core.webhooks import webhook_emit
from logistics.choices import (
    DAMAGE_OR_LOSS_EVENTS,
    EVENT_RANK,
    EVENT_STATUS,
    EXCEPTION_EVENTS,
    EXCEPTION_TRANSITIONS,
    OPEN_SHIPMENT_STATUSES,
    CostKind,
    CostSource,
    EventCode,
    ExceptionKind,
    ExceptionStatus,
    ShipmentStatus,
)
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

QUALITY_WINDOW = timedelta(days=90)
# Fewer measured deliveries than this on a lane and the ETA rests on the carrier's SLA alone.
ETA_MIN_SAMPLE = 5
ETA_PERCENTILE = 0.8


# --- Shipments -------------------------------------------------------------------------------


def measured_transit(*, carrier_id: int, origin: str, destination: str, now: datetime) -> list[timedelta]:
    """Transit times of the carrier's deliveries on this lane over the last 90 days, shortest first."""
    rows = Shipment.objects.filter(
        carrier_id=carrier_id,
        origin=origin,
        destination=destination,
        delivered_at__isnull=False,
        shipped_at__gte=now - QUALITY_WINDOW,
    ).values_list("shipped_at", "delivered_at")
    return sorted(delivered - shipped for shipped, delivered in rows if delivered >= shipped)


def eta_for(
    *, carrier_id: int | None, origin: str, destination: str, sla_days: int | None, shipped_at: datetime
) -> datetime | None:
    """The SLA, or the 80th percentile of measured transit times once the lane has enough deliveries."""
    if carrier_id is None or sla_days is None:
        return None
    transit = measured_transit(carrier_id=carrier_id, origin=origin, destination=destination, now=shipped_at)
    if len(transit) >= ETA_MIN_SAMPLE:
        index = min(len(transit) - 1, int(len(transit) * ETA_PERCENTILE))
        return shipped_at + transit[index]
    return shipped_at + timedelta(days=sla_days)


def shipment_create_for_order(*, order, actor: Actor) -> Shipment:
    """Called by the order's ship transition, in its transaction: the parcel, its price and its ETA."""
    carrier = Carrier.objects.filter(code__iexact=order.carrier).first()
    origin = province_of(order.warehouse.region_id) if order.warehouse_id else ""
    destination = province_of(order.ship_to_region_id)
    weight = order.items.aggregate(
        total=Coalesce(
            Sum(ExpressionWrapper(F("quantity") * F("weight_kg"), output_field=DecimalField())),
            Decimal("0"),
            output_field=DecimalField(),
        )
    )["total"]
    rate = (
        CarrierRate.objects.filter(carrier=carrier, origin=origin, destination=destination).first() if carrier else None
    )
    sla_days = rate.sla_days if rate else (carrier.sla_days if carrier else None)
    price = (
        lane_price(
            first_price=rate.first_price,
            additional_price_per_kg=rate.additional_price_per_kg,
            first_weight_kg=rate.first_weight_kg,
            weight_kg=weight,
        )
        if rate
        else None
    )
    shipped_at = order.shipped_at or timezone.now()
    shipment = Shipment.objects.create(
        merchant_id=order.merchant_id,
        order=order,
        carrier=carrier,
        carrier_code=order.carrier,
        tracking_number=order.tracking_number,
        origin=origin,
        destination=destination,
        weight_kg=weight,
        quoted_price=price,
        sla_days=sla_days,
        shipped_at=shipped_at,
        eta=eta_for(
            carrier_id=carrier.pk if carrier else None,
            origin=origin,
            destination=destination,
            sla_days=sla_days,
            shipped_at=shipped_at,
        ),
    )
    audit(
        actor=actor,
        action="shipment.create",
        obj=shipment,
        after={
            "order": order.pk,
            "carrier": order.carrier,
            "tracking_number": order.tracking_number,
            "eta": shipment.eta.isoformat() if shipment.eta else None,
        },
    )
    return shipment


def derive_status(events: list[tuple[str, datetime]]) -> tuple[str, datetime | None, datetime | None]:
    """(status, last event time, delivered time) from events in any order: the latest event by time decides."""
    status = ShipmentStatus.CREATED
    delivered_at = None
    for code, occurred_at in sorted(events, key=lambda event: (event[1], EVENT_RANK[event[0]])):
        if code in EVENT_STATUS:
            status = EVENT_STATUS[code]
            delivered_at = occurred_at if status == ShipmentStatus.DELIVERED else None
    last = max((occurred_at for _code, occurred_at in events), default=None)
    return status, last, delivered_at


def advance_status(
    current: tuple[str, datetime | None, int, datetime | None, datetime | None], events: list[tuple[str, datetime]]
) -> tuple[str, datetime | None, int, datetime | None, datetime | None]:
    """(status, status event time, its rank, last event time, delivered time) after more events.

    The status is that of the latest status-bearing event by (time, rank) — a maximum, so events may come
    in any order, in any split and more than once, and the result equals `derive_status` over them all."""
    status, status_at, status_rank, last_event_at, delivered_at = current
    for code, occurred_at in events:
        if last_event_at is None or occurred_at > last_event_at:
            last_event_at = occurred_at
        if code not in EVENT_STATUS:
            continue
        rank = EVENT_RANK[code]
        if status_at is None or (occurred_at, rank) > (status_at, status_rank):
            status, status_at, status_rank = EVENT_STATUS[code], occurred_at, rank
            delivered_at = occurred_at if status == ShipmentStatus.DELIVERED else None
    return status, status_at, status_rank, last_event_at, delivered_at


def _events_insert(rows: list[tuple]) -> int:
    """INSERT … ON CONFLICT DO NOTHING in chunks; returns how many rows were new."""
    ops = connection.ops
    table = ops.quote_name(TrackingEvent._meta.db_table)
    stored = 0
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        params: list = []
        for shipment_id, code, occurred_at, location, description, received_at in chunk:
            params += [
                shipment_id,
                code,
                ops.adapt_datetimefield_value(occurred_at),
                location,
                description,
                ops.adapt_datetimefield_value(received_at),
            ]
        # the table name is ours; every value is a parameter
        sql = (
            f"INSERT INTO {table} (shipment_id, code, occurred_at, location, description, received_at) "  # noqa: S608
            f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(chunk))} "
            "ON CONFLICT (shipment_id, code, occurred_at, location) DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            stored += cursor.rowcount
    return stored


def tracking_events_ingest(*, events: list[dict], actor: Actor) -> dict:
    """Record carrier events for one or many shipments: de-duplicated, any order, status re-derived.

    Each event is {"shipment_id", "code", "occurred_at", "location", "description"}. Shipments that
    reach `delivered` have their orders delivered by a task once this commits.
    """
    shipment_ids = sorted({event["shipment_id"] for event in events})
    now = timezone.now()
    with transaction.atomic():
        # Locked in id order, so two batches touching the same parcels wait for each other, never deadlock.
        shipments = {
            row[0]: row
            for row in Shipment.objects.select_for_update()
            .filter(pk__in=shipment_ids)
            .order_by("pk")
            .values_list(
                "pk", "merchant_id", "status", "status_event_at", "status_event_rank", "last_event_at", "delivered_at"
            )
        }
        rows, seen = [], set()
        timeline: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
        for event in events:
            location = event.get("location", "") or ""
            key = (event["shipment_id"], event["code"], event["occurred_at"], location)
            if key in seen:
                continue
            seen.add(key)
            timeline[event["shipment_id"]].append((event["code"], event["occurred_at"]))
            rows.append((*key, event.get("description", "") or "", now))
        stored = _events_insert(rows)
        changed, audits, delivered = [], [], []
        who = actor_fields(actor)
        for shipment_id, (_pk, merchant_id, *current) in shipments.items():
            after = advance_status(tuple(current), timeline[shipment_id])
            if after == tuple(current):
                continue
            changed.append((shipment_id, *after))
            if after[0] != current[0]:
                audits.append(
                    AuditEntry(
                        **who,
                        action="shipment.status",
                        object_type=Shipment._meta.label_lower,
                        object_id=str(shipment_id),
                        merchant_id=merchant_id,
                        before={"status": current[0]},
                        after={"status": after[0]},
                        created_at=now,
                    )
                )
                if after[0] == ShipmentStatus.DELIVERED:
                    delivered.append(shipment_id)
        _shipments_update(changed, now=now)
        AuditEntry.objects.bulk_create(audits, batch_size=1000)
        if delivered:
            from logistics import tasks

            transaction.on_commit(lambda: tasks.shipment_orders_deliver.delay(shipment_ids=delivered))
    return {"received": len(events), "stored": stored, "duplicates": len(events) - stored}


def _shipments_update(rows: list[tuple], *, now: datetime) -> None:
    """Write derived fields — rows of (id, status, status event time, rank, last event time, delivered time) —
    in one UPDATE … FROM (VALUES …) per thousand rows (bulk_update's CASE per row and field costs more than
    the events' own insert)."""
    ops = connection.ops
    table = ops.quote_name(Shipment._meta.db_table)
    fields = ("status", "status_event_at", "status_event_rank", "last_event_at", "delivered_at")
    if connection.vendor == "postgresql":
        stamp = "CAST(%s AS timestamp with time zone)"
        row = f"(%s, %s, {stamp}, CAST(%s AS smallint), {stamp}, {stamp})"
        source, columns = f"AS v(id, {', '.join(fields)})", ["v.id", *(f"v.{field}" for field in fields)]
    else:  # SQLite names the columns of VALUES column1, column2, …
        row = "(%s, %s, %s, %s, %s, %s)"
        source, columns = "AS v", [f"v.column{n}" for n in range(1, 7)]
    assignments = ", ".join(f"{field} = {column}" for field, column in zip(fields, columns[1:], strict=True))
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        params: list = [ops.adapt_datetimefield_value(now)]
        for pk, status, status_at, rank, last_event_at, delivered_at in chunk:
            params += [
                pk,
                status,
                ops.adapt_datetimefield_value(status_at),
                rank,
                ops.adapt_datetimefield_value(last_event_at),
                ops.adapt_datetimefield_value(delivered_at),
            ]
        # table and column names are ours; every value is a parameter
        sql = (
            f"UPDATE {table} SET updated_at = %s, {assignments} "  # noqa: S608
            f"FROM (VALUES {', '.join([row] * len(chunk))}) {source} WHERE {table}.id = {columns[0]}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def shipment_orders_deliver(*, shipment_ids: list[int]) -> int:
    """Deliver, through the orders service, the shipped orders whose shipment is delivered. Idempotent.
    Each merchant's credit rescore is scheduled once for the batch."""
    from credit.services import rescore_batch
    from orders import services as order_services
    from orders.choices import OrderStatus

    done = 0
    with rescore_batch():
        for shipment in Shipment.objects.filter(
            pk__in=shipment_ids, status=ShipmentStatus.DELIVERED, order__status=OrderStatus.SHIPPED
        ).select_related("order"):
            order_services.order_deliver(order=shipment.order, actor=None, at=shipment.delivered_at)
            done += 1
    return done


# --- Exceptions ------------------------------------------------------------------------------


def _flag_candidates(now: datetime) -> list[tuple[Shipment, str, str]]:
    stall_after = timedelta(hours=settings.LOGISTICS_STALL_HOURS)
    open_shipments = Shipment.objects.filter(status__in=OPEN_SHIPMENT_STATUSES)
    flagged = ShipmentException.objects.filter(shipment=OuterRef("pk"))
    stalled = (
        open_shipments.annotate(last_activity=Coalesce("last_event_at", "shipped_at"))
        .filter(last_activity__lt=now - stall_after)
        # once per silence: a flag detected after the last activity already covers it
        .exclude(Exists(flagged.filter(kind=ExceptionKind.STALLED, detected_at__gte=OuterRef("last_activity"))))
    )
    past_eta = open_shipments.filter(eta__lt=now).exclude(Exists(flagged.filter(kind=ExceptionKind.PAST_ETA)))
    hours = settings.LOGISTICS_STALL_HOURS
    found = [
        (shipment, ExceptionKind.STALLED, _("No tracking event for %(hours)d hours.") % {"hours": hours})
        for shipment in stalled
    ]
    found += [
        (
            shipment,
            ExceptionKind.PAST_ETA,
            _("Expected by %(eta)s.") % {"eta": f"{timezone.localtime(shipment.eta):%Y-%m-%d %H:%M}"},
        )
        for shipment in past_eta
    ]
    for code in EXCEPTION_EVENTS:
        with_event = Shipment.objects.filter(
            Exists(TrackingEvent.objects.filter(shipment=OuterRef("pk"), code=code))
        ).exclude(Exists(flagged.filter(kind=code)))
        found += [(shipment, code, EventCode(code).label) for shipment in with_event]
    return found


def shipment_exceptions_detect(*, now: datetime | None = None) -> list[ShipmentException]:
    """Flag stalled shipments, shipments past their ETA and shipments with exception events.

    Each flag opens a queue item for staff, is audited and tells the merchant (webhook and e-mail).
    """
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        for shipment, kind, detail in _flag_candidates(now):
            item = ShipmentException.objects.create(
                shipment=shipment, merchant_id=shipment.merchant_id, kind=kind, detail=detail, detected_at=now
            )
            audit(actor=None, action="shipment.exception", obj=item, after={"kind": kind, "shipment": shipment.pk})
            webhook_emit(
                event_type="shipment.exception",
                merchant_id=shipment.merchant_id,
                data={
                    "id": item.pk,
                    "shipment": shipment.pk,
                    "order": shipment.order_id,
                    "carrier": shipment.carrier_code,
                    "tracking_number": shipment.tracking_number,
                    "kind": kind,
                    "detail": detail,
                    "detected_at": now,
                },
            )
            created.append(item)
        if created:
            ids = [item.pk for item in created]
            from logistics import tasks

            transaction.on_commit(lambda: tasks.shipment_exceptions_notify.delay(exception_ids=ids))
    return created


def shipment_exceptions_notify(*, exception_ids: list[int]) -> int:
    """One e-mail per merchant to its owners, listing the new flags."""
    from merchants.choices import MembershipRole
    from merchants.models import MerchantMembership

    by_merchant: dict[int, list[ShipmentException]] = defaultdict(list)
    for item in ShipmentException.objects.filter(pk__in=exception_ids).select_related("shipment"):
        by_merchant[item.merchant_id].append(item)
    owners: dict[int, list[str]] = defaultdict(list)
    for merchant_id, email in MerchantMembership.objects.filter(
        merchant_id__in=by_merchant, role=MembershipRole.OWNER
    ).values_list("merchant_id", "user__email"):
        if email:
            owners[merchant_id].append(email)
    sent = 0
    for merchant_id, items in by_merchant.items():
        if not owners[merchant_id]:
            continue
        lines = [
            f"{item.shipment.carrier_code} {item.shipment.tracking_number}: {item.get_kind_display()} — {item.detail}"
            for item in items
        ]
        send_mail(
            _("%(count)d shipment(s) need attention") % {"count": len(items)},
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            owners[merchant_id],
        )
        sent += 1
    return sent


def shipment_exception_resolve(*, item: ShipmentException, actor, note: str) -> ShipmentException:
    """Staff close a queue item, saying what was done."""
    if not note.strip():
        raise ValidationError({"note": [_("Say how the exception was resolved.")]})
    with transaction.atomic():
        item = ShipmentException.objects.select_for_update().get(pk=item.pk)
        ensure_transition(EXCEPTION_TRANSITIONS, item.status, ExceptionStatus.RESOLVED)
        item.status = ExceptionStatus.RESOLVED
        item.resolved_at = timezone.now()
        item.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
        item.resolution_note = note.strip()
        item.save(update_fields=["status", "resolved_at", "resolved_by", "resolution_note", "updated_at"])
        audit(
            actor=actor,
            action="shipment_exception.resolve",
            obj=item,
            before={"status": ExceptionStatus.OPEN},
            after={"status": ExceptionStatus.RESOLVED},
            reason=item.resolution_note,
        )
    return item


# --- Carrier quality and weights ---------------------------------------------------------------


def carrier_quality_refresh(*, now: datetime | None = None, window: timedelta = QUALITY_WINDOW) -> int:
    """Measure every carrier over the window from our own shipments, in one aggregate query."""
    from complaints.models import Complaint
    from orders.models import OrderReview

    now = now or timezone.now()
    in_window = Q(shipments__shipped_at__gte=now - window, shipments__shipped_at__lt=now)
    event = TrackingEvent.objects.filter(shipment=OuterRef("shipments"))
    rows = (
        Carrier.objects.annotate(
            exception_event=Exists(event.filter(code__in=EXCEPTION_EVENTS)),
            damage_event=Exists(event.filter(code__in=DAMAGE_OR_LOSS_EVENTS)),
            # Buyers' feedback on delivery: a logistics complaint about the order, or a 1-2 star review of it.
            complained=Exists(Complaint.objects.filter(order=OuterRef("shipments__order"), category="logistics"))
            | Exists(OrderReview.objects.filter(order=OuterRef("shipments__order"), score__lte=2)),
        )
        .values("pk")
        .annotate(
            total=Count("shipments", filter=in_window),
            delivered=Count("shipments", filter=in_window & Q(shipments__delivered_at__isnull=False)),
            timed=Count(
                "shipments",
                filter=in_window & Q(shipments__delivered_at__isnull=False, shipments__eta__isnull=False),
            ),
            on_time=Count(
                "shipments",
                filter=in_window
                & Q(shipments__delivered_at__isnull=False, shipments__delivered_at__lte=F("shipments__eta")),
            ),
            exceptions=Count("shipments", filter=in_window & Q(exception_event=True)),
            damaged=Count("shipments", filter=in_window & Q(damage_event=True)),
            complaints=Count("shipments", filter=in_window & Q(complained=True)),
        )
    )

    def ratio(numerator: int, denominator: int) -> Decimal | None:
        return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001")) if denominator else None

    CarrierQuality.objects.bulk_create(
        CarrierQuality(
            carrier_id=row["pk"],
            as_of=now,
            window_days=window.days,
            shipments=row["total"],
            delivered=row["delivered"],
            on_time_rate=ratio(row["on_time"], row["timed"]),
            exception_rate=ratio(row["exceptions"], row["total"]),
            damage_loss_rate=ratio(row["damaged"], row["total"]),
            complaint_rate=ratio(row["complaints"], row["total"]),
        )
        for row in rows
    )
    return len(rows)


def recommendation_weights() -> RecommendationWeights:
    weights, _created = RecommendationWeights.objects.get_or_create(pk=1)
    return weights


def recommendation_weights_set(
    *, price: Decimal, sla: Decimal, on_time: Decimal, exception: Decimal, actor: Actor
) -> RecommendationWeights:
    values = {"price": price, "sla": sla, "on_time": on_time, "exception": exception}
    errors = {name: [_("Weights are not negative.")] for name, value in values.items() if value < 0}
    if not errors and sum(values.values()) <= 0:
        errors["price"] = [_("At least one weight must be positive.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        weights, _created = RecommendationWeights.objects.select_for_update().get_or_create(pk=1)
        before = {name: str(getattr(weights, name)) for name in values}
        for name, value in values.items():
            setattr(weights, name, value)
        weights.save(update_fields=[*values, "updated_at"])
        audit(
            actor=actor,
            action="recommendation_weights.set",
            obj=weights,
            before=before,
            after={name: str(value) for name, value in values.items()},
        )
    return weights


# --- Cost lines ------------------------------------------------------------------------------


def _check_cost(*, order, kind: str, amount: Decimal, merchant_id: int | None = None) -> dict:
    errors = {}
    if kind not in CostKind.values:
        errors["kind"] = [_("One of: %(kinds)s.") % {"kinds": ", ".join(CostKind.values)}]
    if amount < 0:
        errors["amount"] = [_("Costs are not negative.")]
    if merchant_id is not None and order.merchant_id != merchant_id:
        errors["order"] = [_("Unknown order.")]
    return errors


def cost_line_record(
    *,
    order,
    kind: str,
    amount: Decimal,
    actor: Actor,
    source: str = CostSource.RECORDED,
    note: str = "",
    incurred_on: date | None = None,
) -> CostLine:
    """Record (or replace) what one order cost for one kind of logistics work."""
    errors = _check_cost(order=order, kind=kind, amount=amount)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        line, created = CostLine.objects.select_for_update().get_or_create(
            order=order,
            kind=kind,
            defaults={
                "merchant_id": order.merchant_id,
                "amount": amount,
                "currency": order.currency,
                "source": source,
                "note": note,
                "incurred_on": incurred_on or timezone.localdate(),
            },
        )
        before = None if created else {"amount": str(line.amount)}
        if not created:
            line.amount, line.source, line.note = amount, source, note
            line.incurred_on = incurred_on or line.incurred_on
            line.save(update_fields=["amount", "source", "note", "incurred_on", "updated_at"])
        audit(
            actor=actor, action="cost_line.record", obj=line, before=before, after={"kind": kind, "amount": str(amount)}
        )
    return line


def cost_lines_import(*, merchant, rows: list[dict], actor: Actor) -> int:
    """Import many lines at once ({"external_id", "kind", "amount", "incurred_on", "note"}): all or nothing."""
    from orders.models import Order

    orders = {
        order.external_id: order
        for order in Order.objects.filter(merchant=merchant, external_id__in={row["external_id"] for row in rows})
    }
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        order = orders.get(row["external_id"])
        if order is None:
            errors[f"rows.{index}.external_id"] = [_("No order %(id)s for this merchant.") % {"id": row["external_id"]}]
            continue
        for field, messages in _check_cost(order=order, kind=row["kind"], amount=row["amount"]).items():
            errors[f"rows.{index}.{field}"] = messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for row in rows:
            cost_line_record(
                order=orders[row["external_id"]],
                kind=row["kind"],
                amount=row["amount"],
                actor=actor,
                source=CostSource.IMPORTED,
                note=row.get("note", ""),
                incurred_on=row.get("incurred_on"),
            )
    return len(rows)
