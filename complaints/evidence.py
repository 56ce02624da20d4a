"""What a case gathers from the order by itself: the order, its items and payments, the shipment,
its return requests and the complainant's earlier complaints."""

from django.db.models import Q

from orders.models import Order


def shipment_evidence(order: Order) -> dict | None:
    """The order's shipment: carrier, tracking number, hand-over, ETA, delivery, status and every tracking
    event (from logistics); for an order shipped before shipments existed, what the order itself records."""
    from logistics.selectors import tracking_for_orders

    shipment = tracking_for_orders([order.pk]).get(order.pk)
    if shipment is None and not order.carrier and not order.tracking_number and order.shipped_at is None:
        return None
    evidence = {
        "carrier": order.carrier,
        "tracking_number": order.tracking_number,
        "shipped_at": order.shipped_at.isoformat() if order.shipped_at else None,
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
        "deliver_by": order.deliver_by.isoformat() if order.deliver_by else None,
        "order_status": order.status,
    }
    if shipment is not None:
        evidence.update(
            shipment_status=shipment.status,
            eta=shipment.eta.isoformat() if shipment.eta else None,
            events=[
                {
                    "code": event.code,
                    "occurred_at": event.occurred_at.isoformat(),
                    "location": event.location,
                    "description": event.description,
                }
                for event in shipment.events.all()
            ],
        )
    return evidence


def order_evidence(order: Order) -> dict:
    return {
        "id": order.pk,
        "external_id": order.external_id,
        "status": order.status,
        "total": str(order.total),
        "refunded_amount": str(order.refunded_amount),
        "currency": order.currency,
        "placed_at": order.placed_at.isoformat(),
        "ship_by": order.ship_by.isoformat() if order.ship_by else None,
    }


def items_evidence(order: Order) -> list[dict]:
    return [
        {"sku": item.sku, "name": item.name, "quantity": item.quantity, "unit_price": str(item.unit_price)}
        for item in order.items.order_by("line_no")
    ]


def payments_evidence(order: Order) -> list[dict]:
    return [
        {"type": p.payment_type, "installments": p.installments, "amount": str(p.amount)}
        for p in order.payments.order_by("sequential")
    ] or [{"type": order.payment_type, "status": order.payment_status, "amount": str(order.total)}]


def returns_evidence(order: Order) -> list[dict]:
    return [
        {
            "id": r.pk,
            "type": r.type,
            "reason": r.reason,
            "status": r.status,
            "refund_amount": None if r.refund_amount is None else str(r.refund_amount),
            "created_at": r.created_at.isoformat(),
        }
        for r in order.returns.order_by("id")
    ]


def earlier_complaints_evidence(complaint) -> list[dict]:
    from complaints.models import Complaint

    same = Q(order_id=complaint.order_id) if complaint.order_id else Q(pk__in=[])
    if complaint.complainant_ref:
        same |= Q(complainant_ref=complaint.complainant_ref)
    earlier = (
        Complaint.objects.filter(same, merchant_id=complaint.merchant_id, received_at__lt=complaint.received_at)
        .exclude(pk=complaint.pk)
        .order_by("-received_at")[:20]
    )
    return [
        {
            "id": e.pk,
            "category": e.category,
            "status": e.status,
            "outcome": e.outcome,
            "received_at": e.received_at.isoformat(),
        }
        for e in earlier
    ]
