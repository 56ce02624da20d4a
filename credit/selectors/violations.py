"""Reads of violations: lists scoped to the caller, the staff queue, and points over the rolling 12 months."""

import calendar
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from core.access import Caller
from credit import ladder
from credit.choices import POINTS_WINDOW_MONTHS
from credit.models import Violation, ViolationEvidence, ViolationMeasure
from merchants.selectors import scope_to_caller


def months_before(moment: datetime, months: int = POINTS_WINDOW_MONTHS) -> datetime:
    """The same wall-clock time `months` calendar months earlier, in the platform's zone (29 Feb → 28 Feb)."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day)


def counting_at(at: datetime, *, include_at: bool = True) -> Q:
    """Violations whose points count at `at`: decided in the 12 months up to `at` and not reversed by then."""
    decided = Q(decided_at__gte=months_before(at)) & (Q(decided_at__lte=at) if include_at else Q(decided_at__lt=at))
    return decided & (Q(points_reversed_at__isnull=True) | Q(points_reversed_at__gt=at))


def points_total(*, merchant_id: int, at: datetime | None = None) -> tuple[int, list[int]]:
    """The merchant's points over the rolling 12 months at `at` (now by default) and the violations counted."""
    at = at or timezone.now()
    rows = list(
        Violation.objects.filter(counting_at(at), merchant_id=merchant_id)
        .order_by("decided_at", "id")
        .values_list("id", "points")
    )
    return sum(points for _, points in rows), [pk for pk, _ in rows]


def points_by_merchant(merchant_ids: list[int], *, since: datetime, until: datetime) -> dict[int, int]:
    """Points of decided violations in [since, until), not reversed before `until`: one aggregate query."""
    rows = (
        Violation.objects.filter(
            Q(points_reversed_at__isnull=True) | Q(points_reversed_at__gte=until),
            merchant_id__any=merchant_ids,
            decided_at__gte=since,
            decided_at__lt=until,
        )
        .order_by()
        .values("merchant_id")
        .annotate(total=Coalesce(Sum("points"), 0))
    )
    return {row["merchant_id"]: row["total"] for row in rows}


def points_summary(*, merchant_id: int, at: datetime | None = None) -> dict:
    """What the merchant stands at: points in the last 12 months, the step reached and the next one."""
    total, ids = points_total(merchant_id=merchant_id, at=at)
    upcoming = ladder.next_step(total)
    return {
        "points": total,
        "violation_ids": ids,
        "reached": ladder.step_reached(total),
        "next": upcoming,
        "to_next": upcoming.threshold - total if upcoming else None,
    }


def active_measures(*, merchant_id: int, at: datetime | None = None) -> QuerySet[ViolationMeasure]:
    at = at or timezone.now()
    return ViolationMeasure.objects.filter(merchant_id=merchant_id, lifted_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=at)
    )


def _with_details(queryset: QuerySet[Violation]) -> QuerySet[Violation]:
    return queryset.select_related(
        "merchant", "reported_by", "investigator", "decided_by", "appeal", "appeal__ruled_by"
    ).prefetch_related(
        Prefetch("evidence", queryset=ViolationEvidence.objects.select_related("added_by").order_by("id")),
        Prefetch("measures", queryset=ViolationMeasure.objects.order_by("starts_at", "id")),
    )


def violation_list(*, caller: Caller) -> QuerySet[Violation]:
    return scope_to_caller(_with_details(Violation.objects.all()), caller=caller)


def violation_get(*, caller: Caller, pk) -> Violation:
    try:
        return violation_list(caller=caller).get(pk=pk)
    except (Violation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def violation_queue(
    *,
    statuses: list[str] | None = None,
    category: str | None = None,
    severity: str | None = None,
    source: str | None = None,
    merchant_id: int | None = None,
) -> QuerySet[Violation]:
    """Staff's queue: open cases first (appeals waiting, then investigations, then reports), oldest first."""
    queryset = Violation.objects.select_related("merchant", "investigator", "decided_by")
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    if category:
        queryset = queryset.filter(category=category)
    if severity:
        queryset = queryset.filter(severity=severity)
    if source:
        queryset = queryset.filter(source=source)
    if merchant_id:
        queryset = queryset.filter(merchant_id=merchant_id)
    return queryset.order_by("reported_at", "id")


def evidence_file_get(*, caller: Caller, pk) -> ViolationEvidence:
    """A stored evidence file, to the merchant's own people and to staff (anyone else: 404)."""
    queryset = scope_to_caller(ViolationEvidence.objects.select_related("violation").exclude(file=""), caller=caller)
    item = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if item is None:
        raise Http404
    return item
