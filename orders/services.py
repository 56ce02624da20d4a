"""Every write to orders, warehouses, return policies and returns goes through here."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit
from core.errors import Conflict
from core.models import Region
from core.transitions import ensure_transition
from core.webhooks import webhook_emit
from merchants.choices import MerchantStatus
from orders.choices import (
    BUYER_REASONS,
    OPEN_IN_WAREHOUSE,
    ORDER_TIMESTAMPS,
    ORDER_TRANSITIONS,
    RETURN_TIMESTAMPS,
    RETURN_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    PaymentType,
    ReturnStatus,
    ReturnType,
    ShippingPaidBy,
)
from orders.models import Order, OrderItem, ReturnItem, ReturnPolicy, ReturnRequest, Warehouse

CENT = Decimal("0.01")
# Marketplace rule of thumb in China: hand the parcel to the carrier within 48 hours.
DEFAULT_SHIP_WITHIN = timedelta(hours=48)
TAKES_ORDERS = (MerchantStatus.ACTIVE, MerchantStatus.RESTRICTED)


def order_event_data(order: Order) -> dict:
    """What webhooks say about an order: no buyer data beyond the partner's own reference."""
    return {
        "id": order.pk,
        "merchant": order.merchant_id,
        "external_id": order.external_id,
        "buyer_ref": order.buyer_ref,
        "status": order.status,
        "total": str(order.total),
        "currency": order.currency,
        "warehouse": order.warehouse_id,
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "cancel_reason": order.cancel_reason,
        **{field: getattr(order, field) for field in ORDER_TIMESTAMPS.values()},
    }


def return_event_data(request: ReturnRequest, order: Order) -> dict:
    return {
        "id": request.pk,
        "order": order.pk,
        "order_external_id": order.external_id,
        "merchant": order.merchant_id,
        "type": request.type,
        "reason": request.reason,
        "status": request.status,
        "refund_amount": None if request.refund_amount is None else str(request.refund_amount),
    }


# --- Orders ----------------------------------------------------------------------------------


def _validate_order(*, merchant, external_id: str, ship_to_region: str, items: list[dict], total, shipping_fee):
    errors: dict[str, list[str]] = {}
    if merchant.status not in TAKES_ORDERS:
        errors["merchant"] = [
            _("This merchant cannot take orders now (status %(status)s).") % {"status": merchant.status}
        ]
    if not external_id.strip():
        errors["external_id"] = [_("Give the order's id in your system.")]
    if not Region.objects.filter(code=ship_to_region, deliverable=True).exists():
        errors["ship_to_region"] = [
            _("Unknown region %(code)s: use a county-level code (e.g. 310101) or an ISO 3166-2 code (e.g. BR-SP).")
            % {"code": ship_to_region}
        ]
    if not items:
        errors["items"] = [_("An order has at least one item.")]
    for index, item in enumerate(items):
        if item["quantity"] <= 0:
            errors.setdefault(f"items.{index}.quantity", []).append(_("Quantities are positive."))
        if item["unit_price"] <= 0:
            errors.setdefault(f"items.{index}.unit_price", []).append(_("Prices are positive."))
        if item.get("weight_kg", Decimal("0")) < 0:
            errors.setdefault(f"items.{index}.weight_kg", []).append(_("Weights are not negative."))
    if shipping_fee < 0:
        errors["shipping_fee"] = [_("The shipping fee is not negative.")]
    items_total = sum((item["quantity"] * item["unit_price"] for item in items), Decimal("0")).quantize(CENT)
    if items and "items" not in errors and items_total + shipping_fee != total:
        errors["total"] = [
            _("The total %(total)s is not the items (%(items)s) plus shipping (%(shipping)s).")
            % {"total": total, "items": items_total, "shipping": shipping_fee}
        ]
    if errors:
        raise ValidationError(errors)
    return items_total


def order_create(
    *,
    merchant,
    external_id: str,
    buyer_ref: str,
    ship_to_region: str,
    items: list[dict],
    total: Decimal,
    actor: Actor,
    shipping_fee: Decimal = Decimal("0.00"),
    currency: str | None = None,
    payment_type: str = PaymentType.NOT_DEFINED,
    payment_status: str = PaymentStatus.PAID,
    placed_at: datetime | None = None,
    ship_by: datetime | None = None,
    deliver_by: datetime | None = None,
    time_zone: str | None = None,
) -> Order:
    """A partner's order, checked for completeness; it starts `pending` until the merchant confirms it."""
    items_total = _validate_order(
        merchant=merchant,
        external_id=external_id,
        ship_to_region=ship_to_region,
        items=items,
        total=total,
        shipping_fee=shipping_fee,
    )
    placed_at = placed_at or timezone.now()
    fields = {
        "merchant": merchant,
        "external_id": external_id,
        "buyer_ref": buyer_ref,
        "ship_to_region_id": ship_to_region,
        "items_total": items_total,
        "shipping_fee": shipping_fee,
        "total": total,
        "payment_type": payment_type,
        "payment_status": payment_status,
        "placed_at": placed_at,
        "ship_by": ship_by or placed_at + DEFAULT_SHIP_WITHIN,
        "deliver_by": deliver_by,
    }
    if currency:
        fields["currency"] = currency
    if time_zone:
        fields["time_zone"] = time_zone
    try:
        with transaction.atomic():
            order = Order.objects.create(**fields)
            OrderItem.objects.bulk_create(
                OrderItem(
                    order=order,
                    line_no=line,
                    sku=item["sku"],
                    name=item["name"],
                    quantity=item["quantity"],
                    unit_price=item["unit_price"],
                    weight_kg=item.get("weight_kg", Decimal("0")),
                )
                for line, item in enumerate(items, start=1)
            )
            audit(
                actor=actor,
                action="order.create",
                obj=order,
                after={"external_id": external_id, "status": order.status, "total": str(total), "items": len(items)},
            )
            webhook_emit(event_type="order.created", merchant_id=merchant.pk, data=order_event_data(order))
    except IntegrityError:
        raise Conflict(
            _("This merchant already has an order %(external_id)s.") % {"external_id": external_id},
            code="duplicate_external_id",
        ) from None
    return order


def _order_transition(
    *, order: Order, target: str, actor: Actor, reason: str = "", check=None, at: datetime | None = None, **changes
) -> Order:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        ensure_transition(ORDER_TRANSITIONS, order.status, target)
        if check is not None:
            check(order)
        before = order.status
        stamp = ORDER_TIMESTAMPS[target]
        order.status = target
        setattr(order, stamp, at or timezone.now())
        for field, value in changes.items():
            setattr(order, field, value)
        order.save(update_fields=["status", stamp, *changes, "updated_at"])
        audit(
            actor=actor,
            action=f"order.{target}",
            obj=order,
            before={"status": before},
            after={"status": target, **{k: str(v) if v is not None else None for k, v in changes.items()}},
            reason=reason,
        )
        webhook_emit(event_type=f"order.{target}", merchant_id=order.merchant_id, data=order_event_data(order))
    return order


def order_confirm(*, order: Order, actor: Actor) -> Order:
    """The merchant has checked items, amounts and address and accepts the order."""
    return _order_transition(order=order, target=OrderStatus.CONFIRMED, actor=actor)


def order_allocate(*, order: Order, warehouse: Warehouse, actor: Actor) -> Order:
    """Assign the order to a warehouse or production line with room for it."""

    def check(locked: Order):
        if warehouse.merchant_id != locked.merchant_id or not warehouse.is_active:
            raise ValidationError({"warehouse": [_("Choose an active warehouse of this merchant.")]})
        # Lock the warehouse so two allocations cannot both take its last place.
        held = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        in_use = Order.objects.filter(warehouse=held, status__in=OPEN_IN_WAREHOUSE).count()
        if in_use >= held.capacity:
            raise Conflict(
                _("Warehouse %(name)s is full (%(capacity)d orders).") % {"name": held.name, "capacity": held.capacity},
                code="warehouse_full",
            )

    return _order_transition(
        order=order, target=OrderStatus.ALLOCATED, actor=actor, check=check, warehouse_id=warehouse.pk
    )


def order_pack(*, order: Order, actor: Actor) -> Order:
    return _order_transition(order=order, target=OrderStatus.PACKED, actor=actor)


def order_ship(*, order: Order, carrier: str, tracking_number: str, actor: Actor, at: datetime | None = None) -> Order:
    """Handed to the carrier (`at`, when it happened earlier: imports and demo data); a shipment is created."""
    errors = {}
    if not carrier.strip():
        errors["carrier"] = [_("Name the carrier.")]
    if not tracking_number.strip():
        errors["tracking_number"] = [_("Give the tracking number.")]
    if errors:
        raise ValidationError(errors)
    from logistics.services import shipment_create_for_order

    with transaction.atomic():
        order = _order_transition(
            order=order,
            target=OrderStatus.SHIPPED,
            actor=actor,
            at=at,
            carrier=carrier.strip(),
            tracking_number=tracking_number.strip(),
        )
        # The parcel is tracked from the moment it leaves: its shipment is born in the same transaction.
        shipment_create_for_order(order=order, actor=actor)
    return order


def order_deliver(*, order: Order, actor: Actor, at: datetime | None = None) -> Order:
    """Received by the buyer; `at` is the carrier's delivery time when a tracking event says so. The merchant's
    credit score follows soon (debounced)."""
    from credit.services import merchant_rescore_soon

    with transaction.atomic():
        order = _order_transition(order=order, target=OrderStatus.DELIVERED, actor=actor, at=at)
        merchant_rescore_soon(merchant_id=order.merchant_id)
    return order


def order_complete(*, order: Order, actor: Actor) -> Order:
    """The after-sales window has passed (or the buyer confirmed receipt)."""
    return _order_transition(order=order, target=OrderStatus.COMPLETED, actor=actor)


def order_cancel(*, order: Order, reason: str, actor: Actor) -> Order:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the order is cancelled.")]})
    return _order_transition(
        order=order, target=OrderStatus.CANCELLED, actor=actor, reason=reason, cancel_reason=reason.strip()
    )


# --- Warehouses ------------------------------------------------------------------------------


def warehouse_create(*, merchant, name: str, region: str, capacity: int, actor: Actor) -> Warehouse:
    errors = {}
    if not Region.objects.filter(code=region).exists():
        errors["region"] = [_("Unknown region %(code)s.") % {"code": region}]
    if capacity <= 0:
        errors["capacity"] = [_("Capacity is positive.")]
    if Warehouse.objects.filter(merchant=merchant, name=name).exists():
        errors["name"] = [_("This merchant already has a warehouse with this name.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        warehouse = Warehouse.objects.create(merchant=merchant, name=name, region_id=region, capacity=capacity)
        audit(
            actor=actor,
            action="warehouse.create",
            obj=warehouse,
            after={"name": name, "region": region, "capacity": capacity},
        )
    return warehouse


def warehouse_update(*, warehouse: Warehouse, actor: Actor, **changes) -> Warehouse:
    """Change name, region, capacity or the active flag."""
    if "region" in changes:
        if not Region.objects.filter(code=changes["region"]).exists():
            raise ValidationError({"region": [_("Unknown region %(code)s.") % {"code": changes["region"]}]})
        changes["region_id"] = changes.pop("region")
    if "capacity" in changes and changes["capacity"] <= 0:
        raise ValidationError({"capacity": [_("Capacity is positive.")]})
    with transaction.atomic():
        warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        if (
            "name" in changes
            and Warehouse.objects.filter(merchant_id=warehouse.merchant_id, name=changes["name"])
            .exclude(pk=warehouse.pk)
            .exists()
        ):
            raise ValidationError({"name": [_("This merchant already has a warehouse with this name.")]})
        before = {field: str(getattr(warehouse, field)) for field in changes}
        for field, value in changes.items():
            setattr(warehouse, field, value)
        warehouse.save(update_fields=[*changes, "updated_at"])
        audit(
            actor=actor,
            action="warehouse.update",
            obj=warehouse,
            before=before,
            after={field: str(value) for field, value in changes.items()},
        )
    return warehouse


# --- Return policies and returns -------------------------------------------------------------


def return_policy_of(merchant_id: int) -> ReturnPolicy:
    """The merchant's policy, or the defaults (unsaved) when it has none."""
    return ReturnPolicy.objects.filter(merchant_id=merchant_id).first() or ReturnPolicy(merchant_id=merchant_id)


def return_policy_set(
    *, merchant, window_days: int, return_shipping_paid_by: str, restocking_fee_percent: Decimal, actor: Actor
) -> ReturnPolicy:
    errors = {}
    if not 0 <= restocking_fee_percent <= 100:
        errors["restocking_fee_percent"] = [_("Between 0 and 100.")]
    if window_days > 365:
        errors["window_days"] = [_("At most 365 days.")]
    if errors:
        raise ValidationError(errors)
    values = {
        "window_days": window_days,
        "return_shipping_paid_by": return_shipping_paid_by,
        "restocking_fee_percent": restocking_fee_percent,
    }
    with transaction.atomic():
        policy, created = ReturnPolicy.objects.select_for_update().get_or_create(merchant=merchant, defaults=values)
        before = None if created else {k: str(getattr(policy, k)) for k in values}
        if not created:
            for field, value in values.items():
                setattr(policy, field, value)
            policy.save(update_fields=[*values, "updated_at"])
        audit(
            actor=actor,
            action="return_policy.set",
            obj=policy,
            before=before,
            after={k: str(v) for k, v in values.items()},
        )
    return policy


def return_request_create(
    *,
    order: Order,
    type: str,  # noqa: A002 (the API's field name)
    reason: str,
    items: list[dict],
    actor: Actor,
    description: str = "",
    evidence: list[str] | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """The buyer asks to return, exchange or be refunded, within the merchant's return window."""
    now = now or timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status not in (OrderStatus.DELIVERED, OrderStatus.COMPLETED):
            raise Conflict(_("Only delivered orders can be returned."), code="order_not_delivered")
        policy = return_policy_of(order.merchant_id)
        if order.delivered_at and now > order.delivered_at + timedelta(days=policy.window_days):
            raise Conflict(
                _("The %(days)d-day return window has passed.") % {"days": policy.window_days},
                code="return_window_passed",
            )
        errors: dict[str, list[str]] = {}
        if not items:
            errors["items"] = [_("Name at least one item.")]
        order_items = {item.pk: item for item in order.items.all()}
        already = dict(
            ReturnItem.objects.filter(return_request__order=order)
            .exclude(return_request__status=ReturnStatus.REJECTED)
            .values_list("order_item_id")
            .annotate(total=Sum("quantity"))
        )
        value = Decimal("0.00")
        seen = set()
        for index, item in enumerate(items):
            line = order_items.get(item["order_item"])
            if line is None or item["order_item"] in seen:
                errors.setdefault(f"items.{index}.order_item", []).append(_("Not an item of this order."))
                continue
            seen.add(line.pk)
            if not 0 < item["quantity"] <= line.quantity - already.get(line.pk, 0):
                errors.setdefault(f"items.{index}.quantity", []).append(
                    _("At most %(n)d of this item can still be returned.")
                    % {"n": line.quantity - already.get(line.pk, 0)}
                )
                continue
            value += line.unit_price * item["quantity"]
        if errors:
            raise ValidationError(errors)
        buyers_fault = reason in BUYER_REASONS
        fee = (
            (value * policy.restocking_fee_percent / 100).quantize(CENT)
            if buyers_fault and type == ReturnType.RETURN
            else Decimal("0.00")
        )
        request = ReturnRequest.objects.create(
            order=order,
            type=type,
            reason=reason,
            description=description,
            evidence=evidence or [],
            items_value=value.quantize(CENT),
            restocking_fee=fee,
            return_shipping_paid_by=policy.return_shipping_paid_by if buyers_fault else ShippingPaidBy.MERCHANT,
        )
        ReturnItem.objects.bulk_create(
            ReturnItem(return_request=request, order_item_id=item["order_item"], quantity=item["quantity"])
            for item in items
        )
        audit(
            actor=actor,
            action="return.requested",
            obj=request,
            merchant_id=order.merchant_id,
            after={"type": type, "reason": reason, "items_value": str(request.items_value)},
        )
        webhook_emit(
            event_type="return.requested", merchant_id=order.merchant_id, data=return_event_data(request, order)
        )
    return request


def _refund_limit(order: Order) -> Decimal:
    return order.total - order.refunded_amount


def _return_transition(
    *, request: ReturnRequest, target: str, actor: Actor, note: str = "", check=None, **changes
) -> ReturnRequest:
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
        order = Order.objects.select_for_update().get(pk=request.order_id)
        ensure_transition(RETURN_TRANSITIONS, request.status, target)
        if check is not None:
            # a check may settle further fields (the final refund amount)
            changes.update(check(request, order) or {})
        before = request.status
        stamp = RETURN_TIMESTAMPS[target]
        request.status = target
        setattr(request, stamp, timezone.now())
        for field, value in changes.items():
            setattr(request, field, value)
        if note:
            request.decision_note = note
        request.save(update_fields=["status", stamp, "decision_note", *changes, "updated_at"])
        audit(
            actor=actor,
            action=f"return.{target}",
            obj=request,
            merchant_id=order.merchant_id,
            before={"status": before},
            after={"status": target, **{k: str(v) for k, v in changes.items()}},
            reason=note,
        )
        webhook_emit(
            event_type=f"return.{target}", merchant_id=order.merchant_id, data=return_event_data(request, order)
        )
    return request


def _check_refund(amount: Decimal | None):
    def check(request: ReturnRequest, order: Order):
        if amount is not None and not Decimal("0") <= amount <= _refund_limit(order):
            raise ValidationError(
                {
                    "refund_amount": [
                        _("Between 0 and %(max)s (what the order has left to refund).") % {"max": _refund_limit(order)}
                    ]
                }
            )

    return check


def return_approve(
    *, request: ReturnRequest, actor: Actor, refund_amount: Decimal | None = None, note: str = ""
) -> ReturnRequest:
    """Accept the request; the refund defaults to the items' value less any restocking fee."""
    amount = (
        refund_amount if refund_amount is not None else max(request.items_value - request.restocking_fee, Decimal("0"))
    )
    return _return_transition(
        request=request,
        target=ReturnStatus.APPROVED,
        actor=actor,
        note=note,
        check=_check_refund(amount),
        refund_amount=amount,
    )


def return_reject(*, request: ReturnRequest, actor: Actor, note: str) -> ReturnRequest:
    if not note.strip():
        raise ValidationError({"note": [_("Say why the request is rejected.")]})
    return _return_transition(request=request, target=ReturnStatus.REJECTED, actor=actor, note=note)


def return_receive(*, request: ReturnRequest, actor: Actor) -> ReturnRequest:
    def check(locked: ReturnRequest, order: Order):
        if locked.type == ReturnType.REFUND_ONLY:
            raise Conflict(_("A refund-only request has no parcel to receive."), code="nothing_to_receive")

    return _return_transition(request=request, target=ReturnStatus.ITEM_RECEIVED, actor=actor, check=check)


def return_refund(*, request: ReturnRequest, actor: Actor, refund_amount: Decimal | None = None) -> ReturnRequest:
    """Pay the refund back (the approved amount unless a new one is set) and record it on the order."""

    def check(locked: ReturnRequest, order: Order):
        if locked.type == ReturnType.EXCHANGE:
            raise Conflict(_("An exchange is settled with a replacement, not a refund."), code="exchange_not_refunded")
        if locked.status == ReturnStatus.APPROVED and locked.type != ReturnType.REFUND_ONLY:
            raise Conflict(_("Receive the returned items before refunding."), code="items_not_received")
        _check_refund(refund_amount if refund_amount is not None else locked.refund_amount)(locked, order)
        amount = refund_amount if refund_amount is not None else locked.refund_amount
        Order.objects.filter(pk=order.pk).update(refunded_amount=F("refunded_amount") + amount)
        order.refresh_from_db(fields=["refunded_amount"])
        order.payment_status = (
            PaymentStatus.REFUNDED if order.refunded_amount >= order.total else PaymentStatus.PARTIALLY_REFUNDED
        )
        order.save(update_fields=["payment_status", "updated_at"])
        return {"refund_amount": amount}

    return _return_transition(request=request, target=ReturnStatus.REFUNDED, actor=actor, check=check)


def return_exchange(*, request: ReturnRequest, actor: Actor) -> ReturnRequest:
    def check(locked: ReturnRequest, order: Order):
        if locked.type != ReturnType.EXCHANGE:
            raise Conflict(_("Only an exchange request is settled by a replacement."), code="not_an_exchange")

    return _return_transition(request=request, target=ReturnStatus.EXCHANGED, actor=actor, check=check)


def return_close(*, request: ReturnRequest, actor: Actor) -> ReturnRequest:
    return _return_transition(request=request, target=ReturnStatus.CLOSED, actor=actor)
