"""Reads of complaints and disputes, scoped to the caller; the staff queues; the analytics figures."""

import statistics
from datetime import datetime
from decimal import Decimal

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.http import Http404
from django.utils import timezone

from complaints.choices import (
    OPEN_STATUSES,
    UPHELD_OUTCOMES,
    ComplaintStatus,
    DisputeStage,
    EvidenceKind,
)
from complaints.models import CategoryCorrection, Complaint, ComplaintEvidence, Dispute, MediationProposal, PayoutHold
from core.access import Caller
from merchants.selectors import scope_to_caller
from orders.models import Order


def complaint_list(*, caller: Caller) -> QuerySet[Complaint]:
    queryset = Complaint.objects.select_related("merchant", "assigned_to", "dispute")
    return scope_to_caller(queryset, caller=caller)


def complaint_get(*, caller: Caller, pk) -> Complaint:
    try:
        return (
            complaint_list(caller=caller)
            .prefetch_related(Prefetch("evidence", queryset=ComplaintEvidence.objects.order_by("id")))
            .get(pk=pk)
        )
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def supervisor_queue() -> QuerySet[Complaint]:
    """Cases whose SLA was breached and that are still open, oldest breach first."""
    return (
        Complaint.objects.filter(supervisor_escalated_at__isnull=False, status__in=OPEN_STATUSES)
        .select_related("merchant", "assigned_to")
        .order_by("supervisor_escalated_at", "id")
    )


def agent_queue(*, agent) -> QuerySet[Complaint]:
    return (
        Complaint.objects.filter(assigned_to=agent, status__in=OPEN_STATUSES)
        .select_related("merchant")
        .order_by("due_at", "id")
    )


def evidence_files(*, complaint: Complaint) -> QuerySet[ComplaintEvidence]:
    return complaint.evidence.filter(kind=EvidenceKind.FILE).order_by("id")


def dispute_list(*, caller: Caller) -> QuerySet[Dispute]:
    queryset = Dispute.objects.select_related("complaint", "payout_hold").prefetch_related(
        Prefetch("proposals", queryset=MediationProposal.objects.order_by("-created_at", "-id")), "documents"
    )
    return scope_to_caller(queryset, caller=caller)


def category_corrections() -> list[tuple[str, str]]:
    """(text, category) pairs from staff corrections, the latest per complaint, for retraining."""
    latest: dict[int, tuple[str, str]] = {}
    for complaint_id, text, category in CategoryCorrection.objects.order_by("created_at", "id").values_list(
        "complaint_id", "text", "to_category"
    ):
        latest[complaint_id] = (text, category)
    return list(latest.values())


def payout_held(*, merchant_id: int) -> Decimal:
    """What the merchant cannot be paid out now, for the disputes still running."""
    total = PayoutHold.objects.filter(merchant_id=merchant_id, released_at__isnull=True).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


def upheld_complaints(*, since: datetime, until: datetime) -> QuerySet[Complaint]:
    """Complaints decided upheld or partly upheld in [since, until), for credit scoring
    (`order_defect_rate`: counts their orders; `values("merchant_id")` aggregates per merchant)."""
    return Complaint.objects.filter(outcome__in=UPHELD_OUTCOMES, decided_at__gte=since, decided_at__lt=until)


def lost_disputes(*, since: datetime, until: datetime) -> QuerySet[Dispute]:
    """Disputes decided (at least partly) against the merchant in [since, until)."""
    return Dispute.objects.filter(
        decided_at__gte=since, decided_at__lt=until, outcome__in=("complainant", "split")
    ).exclude(stage=DisputeStage.NEGOTIATION)


TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
MIN_ORDERS_FOR_RATE = 20


def _median_hours(pairs) -> float | None:
    hours = [(end - start).total_seconds() / 3600 for start, end in pairs if start and end]
    return round(statistics.median(hours), 2) if hours else None


def complaint_analytics(
    *, since: datetime, until: datetime, interval: str = "week", merchant_id: int | None = None, top: int = 10
) -> dict:
    """Counts over time by category, channel and merchant; medians to acknowledge and resolve; SLA hit
    rate; satisfaction; repeat complainants; merchants with the most complaints per 1,000 orders."""
    complaints = Complaint.objects.filter(received_at__gte=since, received_at__lt=until)
    if merchant_id is not None:
        complaints = complaints.filter(merchant_id=merchant_id)
    period = TRUNC[interval]("received_at", tzinfo=timezone.get_current_timezone())

    def series(field: str) -> list[dict]:
        rows = complaints.annotate(period=period).values("period", field).annotate(count=Count("id"))
        return [
            {"period": row["period"].date().isoformat(), "key": str(row[field]), "count": row["count"]}
            for row in rows.order_by("period", field)
        ]

    resolved = complaints.filter(resolved_at__isnull=False)
    on_time = resolved.filter(resolved_at__lte=F("due_at")).count()
    resolved_count = resolved.count()
    acked = complaints.filter(acknowledged_at__isnull=False)
    acked_on_time = acked.filter(acknowledged_at__lte=F("ack_due_at")).count()
    acked_count = acked.count()
    ratings = complaints.filter(rating__isnull=False).aggregate(average=Avg("rating"), count=Count("id"))
    distribution = dict(
        complaints.filter(rating__isnull=False).values_list("rating").annotate(n=Count("id")).order_by("rating")
    )
    repeat = (
        complaints.exclude(complainant_ref="")
        .values("complainant_ref")
        .annotate(count=Count("id"))
        .filter(count__gt=1)
        .order_by("-count", "complainant_ref")
    )
    per_merchant = (
        complaints.values("merchant_id", "merchant__name").annotate(complaints=Count("id")).order_by("merchant_id")
    )
    per_merchant = {row["merchant_id"]: row for row in per_merchant}
    orders = dict(
        Order.objects.filter(merchant_id__in=per_merchant, placed_at__gte=since, placed_at__lt=until)
        .values_list("merchant_id")
        .annotate(n=Count("id"))
    )
    rates = []
    for merchant, row in per_merchant.items():
        order_count = orders.get(merchant, 0)
        if order_count >= MIN_ORDERS_FOR_RATE:
            rates.append(
                {
                    "merchant": merchant,
                    "name": row["merchant__name"],
                    "complaints": row["complaints"],
                    "orders": order_count,
                    "per_1000_orders": round(row["complaints"] * 1000 / order_count, 2),
                }
            )
    rates.sort(key=lambda r: (-r["per_1000_orders"], r["merchant"]))
    return {
        "since": since,
        "until": until,
        "interval": interval,
        "total": complaints.count(),
        "open": complaints.filter(status__in=OPEN_STATUSES).count(),
        "escalated": complaints.filter(Q(status=ComplaintStatus.ESCALATED) | Q(dispute__isnull=False)).count(),
        "upheld": complaints.filter(outcome__in=UPHELD_OUTCOMES).count(),
        "by_category": series("category"),
        "by_channel": series("channel"),
        "by_merchant": series("merchant_id"),
        "median_hours_to_acknowledge": _median_hours(acked.values_list("received_at", "acknowledged_at")),
        "median_hours_to_resolve": _median_hours(resolved.values_list("received_at", "resolved_at")),
        "acknowledge_sla_hit_rate": round(acked_on_time / acked_count, 4) if acked_count else None,
        "resolve_sla_hit_rate": round(on_time / resolved_count, 4) if resolved_count else None,
        "satisfaction_average": round(ratings["average"], 2) if ratings["average"] is not None else None,
        "satisfaction_count": ratings["count"],
        "satisfaction_distribution": [{"score": s, "count": distribution.get(s, 0)} for s in range(1, 6)],
        "repeat_complainants": [{"complainant": row["complainant_ref"], "count": row["count"]} for row in repeat[:top]],
        "repeat_complainant_count": repeat.count(),
        "top_merchants_per_1000_orders": rates[:top],
    }
