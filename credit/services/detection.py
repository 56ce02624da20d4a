"""Fake-order detection: rules over whole days that raise flags for staff review, and the review itself.

Each rule is a few aggregate queries over all merchants at once (grouped by merchant and day), then small
follow-up queries over the few merchants that stand out. A flag carries the figures that raised it and
penalises nobody: no score, points, tier or restriction changes here. Staff dismiss or confirm it; a
confirmed flag is the place a violation can start from.

Days are calendar days in the platform's time zone. A run at `as_of` over `window_days` examines the
whole days before the day `as_of` falls in, and each flag's window is the day its pattern happened on, so
runs over the same or overlapping days find the flags they raised before instead of adding new ones.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.access import PLATFORM_ADMIN, RISK_OFFICER, has_role
from core.audit import Actor, audit
from core.transitions import ensure_transition
from credit.choices import Severity, ViolationCategory, ViolationSource
from credit.models import FlagStatus, SuspicionFlag, SuspicionRule
from credit.models.detection import FLAG_TRANSITIONS
from credit.services.violations import violation_report
from logistics.models import Shipment, TrackingEvent
from orders.models import Order, OrderReview

DEFAULTS = {
    "repeat_buyer_min_orders": 5,
    "repeat_buyer_min_multiple": 3.0,
    "untracked_min_orders": 3,
    "fast_delivery_hours": 2.0,
    "review_burst_min_reviews": 5,
    "review_burst_min_multiple": 3.0,
    "review_before_delivery_min_reviews": 3,
    "review_before_delivery_min_score": 4,
    "baseline_days": 30,
}
REVIEWERS = (RISK_OFFICER, PLATFORM_ADMIN)


@dataclass
class Candidate:
    merchant_id: int
    rule: str
    day: date
    metrics: dict
    order_ids: list[int]
    subject: str = ""


@dataclass
class DetectionResult:
    window_start: datetime
    window_end: datetime
    found: int = 0
    created: list[SuspicionFlag] = field(default_factory=list)


def detection_settings() -> dict:
    cfg = {**DEFAULTS, **getattr(settings, "CREDIT_DETECTION", {})}
    too_low = sorted(key for key, value in cfg.items() if value < (0 if key == "fast_delivery_hours" else 1))
    if too_low:
        raise ImproperlyConfigured(f"CREDIT_DETECTION: {', '.join(too_low)} must be at least 1 (hours at least 0)")
    return cfg


def _zone():
    return timezone.get_default_timezone()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=_zone())


def detection_window(*, as_of: datetime, window_days: int) -> tuple[datetime, datetime]:
    """The whole days a run examines: the `window_days` days before the day `as_of` falls in."""
    if window_days < 1:
        raise ValidationError({"window_days": [_("The window is at least one day.")]})
    last = timezone.localtime(as_of, _zone()).date()
    return _day_start(last - timedelta(days=window_days)), _day_start(last)


def _before(daily: dict[date, tuple], day: date, days: int) -> tuple:
    """Column sums of a merchant's daily figures over the `days` days before `day`."""
    rows = [daily[d] for d in (day - timedelta(days=n) for n in range(1, days + 1)) if d in daily]
    return tuple(sum(column) for column in zip(*rows, strict=True)) if rows else ()


def _repeat_buyer(start: datetime, end: datetime, cfg: dict) -> list[Candidate]:
    """Many orders from one buyer reference at one merchant on one day, well above the merchant's usual
    orders per buyer and day over the days before."""
    day = TruncDate("placed_at", tzinfo=_zone())
    placed = Order.objects.filter(placed_at__gte=start, placed_at__lt=end).order_by()
    groups = list(
        placed.annotate(day=day)
        .values("merchant_id", "buyer_ref", "day")
        .annotate(n=Count("id"))
        .filter(n__gte=cfg["repeat_buyer_min_orders"])
    )
    if not groups:
        return []
    merchants = {g["merchant_id"] for g in groups}
    baseline_days = cfg["baseline_days"]
    daily: dict[int, dict[date, tuple]] = defaultdict(dict)
    for row in (
        Order.objects.filter(
            merchant_id__in=merchants, placed_at__gte=start - timedelta(days=baseline_days), placed_at__lt=end
        )
        .order_by()
        .annotate(day=day)
        .values("merchant_id", "day")
        .annotate(orders=Count("id"), buyers=Count("buyer_ref", distinct=True))
    ):
        # Distinct buyers on a day, summed over days, is the number of (buyer, day) pairs.
        daily[row["merchant_id"]][row["day"]] = (row["orders"], row["buyers"])
    orders_of: dict[tuple, list[int]] = defaultdict(list)
    for merchant_id, buyer_ref, on, pk in (
        placed.filter(merchant_id__in=merchants, buyer_ref__in={g["buyer_ref"] for g in groups})
        .annotate(day=day)
        .values_list("merchant_id", "buyer_ref", "day", "pk")
        .order_by("pk")
    ):
        orders_of[(merchant_id, buyer_ref, on)].append(pk)
    found = []
    for g in groups:
        orders, buyer_days = _before(daily[g["merchant_id"]], g["day"], baseline_days) or (0, 0)
        usual = orders / buyer_days if buyer_days else None
        if usual is not None and g["n"] < cfg["repeat_buyer_min_multiple"] * usual:
            continue
        found.append(
            Candidate(
                merchant_id=g["merchant_id"],
                rule=SuspicionRule.REPEAT_BUYER,
                subject=g["buyer_ref"],
                day=g["day"],
                order_ids=orders_of[(g["merchant_id"], g["buyer_ref"], g["day"])],
                metrics={
                    "buyer_ref": g["buyer_ref"],
                    "day": g["day"].isoformat(),
                    "orders": g["n"],
                    "usual_per_buyer_day": None if usual is None else round(usual, 3),
                    "baseline_days": baseline_days,
                    "baseline_orders": orders,
                    "baseline_buyer_days": buyer_days,
                    "min_orders": cfg["repeat_buyer_min_orders"],
                    "min_multiple": cfg["repeat_buyer_min_multiple"],
                },
            )
        )
    return found


def _untracked_delivery(start: datetime, end: datetime, cfg: dict) -> list[Candidate]:
    """Orders delivered on one day with no credible logistics trail: a shipment without a single tracking
    event, or delivered within a few hours of being handed to the carrier. (Imported orders that never had
    a shipment here are not judged on tracking.)"""
    hours = cfg["fast_delivery_hours"]
    untracked = Q(Exists(Shipment.objects.filter(order_id=OuterRef("pk")))) & ~Q(
        Exists(TrackingEvent.objects.filter(shipment__order_id=OuterRef("pk")))
    )
    fast = Q(shipped_at__isnull=False, delivered_at__lt=F("shipped_at") + timedelta(hours=hours))
    day = TruncDate("delivered_at", tzinfo=_zone())
    delivered = Order.objects.filter(delivered_at__gte=start, delivered_at__lt=end).order_by()
    groups = list(
        delivered.annotate(day=day)
        .values("merchant_id", "day")
        .annotate(
            delivered=Count("id"),
            untracked=Count("id", filter=untracked),
            fast=Count("id", filter=fast),
            suspicious=Count("id", filter=untracked | fast),
        )
        .filter(suspicious__gte=cfg["untracked_min_orders"])
    )
    if not groups:
        return []
    orders_of: dict[tuple, list[int]] = defaultdict(list)
    for merchant_id, on, pk in (
        delivered.filter(merchant_id__in={g["merchant_id"] for g in groups})
        .filter(untracked | fast)
        .annotate(day=day)
        .values_list("merchant_id", "day", "pk")
        .order_by("pk")
    ):
        orders_of[(merchant_id, on)].append(pk)
    return [
        Candidate(
            merchant_id=g["merchant_id"],
            rule=SuspicionRule.UNTRACKED_DELIVERY,
            day=g["day"],
            order_ids=orders_of[(g["merchant_id"], g["day"])],
            metrics={
                "day": g["day"].isoformat(),
                "delivered": g["delivered"],
                "suspicious": g["suspicious"],
                "untracked": g["untracked"],
                "fast": g["fast"],
                "fast_hours": hours,
                "min_orders": cfg["untracked_min_orders"],
            },
        )
        for g in groups
    ]


def _review_burst(start: datetime, end: datetime, cfg: dict) -> list[Candidate]:
    """Many five-star reviews of one merchant's orders written on one day, well above its usual daily
    number over the days before."""
    day = TruncDate("created_at", tzinfo=_zone())
    five_stars = OrderReview.objects.filter(score=5).order_by()
    written = five_stars.filter(created_at__gte=start, created_at__lt=end)
    groups = list(
        written.annotate(day=day)
        .values("order__merchant_id", "day")
        .annotate(n=Count("id"))
        .filter(n__gte=cfg["review_burst_min_reviews"])
    )
    if not groups:
        return []
    merchants = {g["order__merchant_id"] for g in groups}
    baseline_days = cfg["baseline_days"]
    daily: dict[int, dict[date, tuple]] = defaultdict(dict)
    for row in (
        five_stars.filter(
            order__merchant_id__in=merchants,
            created_at__gte=start - timedelta(days=baseline_days),
            created_at__lt=end,
        )
        .annotate(day=day)
        .values("order__merchant_id", "day")
        .annotate(n=Count("id"))
    ):
        daily[row["order__merchant_id"]][row["day"]] = (row["n"],)
    orders_of: dict[tuple, list[int]] = defaultdict(list)
    for merchant_id, on, order_id in (
        written.filter(order__merchant_id__in=merchants)
        .annotate(day=day)
        .values_list("order__merchant_id", "day", "order_id")
        .order_by("order_id")
        .distinct()
    ):
        orders_of[(merchant_id, on)].append(order_id)
    found = []
    for g in groups:
        merchant_id = g["order__merchant_id"]
        (before,) = _before(daily[merchant_id], g["day"], baseline_days) or (0,)
        usual = before / baseline_days
        if g["n"] < cfg["review_burst_min_multiple"] * usual:
            continue
        found.append(
            Candidate(
                merchant_id=merchant_id,
                rule=SuspicionRule.REVIEW_BURST,
                day=g["day"],
                order_ids=orders_of[(merchant_id, g["day"])],
                metrics={
                    "day": g["day"].isoformat(),
                    "reviews": g["n"],
                    "usual_per_day": round(usual, 3),
                    "baseline_days": baseline_days,
                    "baseline_reviews": before,
                    "min_reviews": cfg["review_burst_min_reviews"],
                    "min_multiple": cfg["review_burst_min_multiple"],
                },
            )
        )
    return found


def _review_before_delivery(start: datetime, end: datetime, cfg: dict) -> list[Candidate]:
    """Good reviews written on one day before their order was delivered (or of orders never delivered):
    praise for goods the buyer cannot have received."""
    min_score = cfg["review_before_delivery_min_score"]
    day = TruncDate("created_at", tzinfo=_zone())
    undelivered = Q(order__delivered_at__isnull=True)
    early = (
        OrderReview.objects.filter(score__gte=min_score, created_at__gte=start, created_at__lt=end)
        .filter(undelivered | Q(order__delivered_at__gt=F("created_at")))
        .order_by()
    )
    groups = list(
        early.annotate(day=day)
        .values("order__merchant_id", "day")
        .annotate(n=Count("id"), undelivered=Count("id", filter=undelivered))
        .filter(n__gte=cfg["review_before_delivery_min_reviews"])
    )
    if not groups:
        return []
    orders_of: dict[tuple, list[int]] = defaultdict(list)
    for merchant_id, on, order_id in (
        early.filter(order__merchant_id__in={g["order__merchant_id"] for g in groups})
        .annotate(day=day)
        .values_list("order__merchant_id", "day", "order_id")
        .order_by("order_id")
        .distinct()
    ):
        orders_of[(merchant_id, on)].append(order_id)
    return [
        Candidate(
            merchant_id=g["order__merchant_id"],
            rule=SuspicionRule.REVIEW_BEFORE_DELIVERY,
            day=g["day"],
            order_ids=orders_of[(g["order__merchant_id"], g["day"])],
            metrics={
                "day": g["day"].isoformat(),
                "reviews": g["n"],
                "undelivered": g["undelivered"],
                "min_score": min_score,
                "min_reviews": cfg["review_before_delivery_min_reviews"],
            },
        )
        for g in groups
    ]


RULES = {
    SuspicionRule.REPEAT_BUYER: _repeat_buyer,
    SuspicionRule.UNTRACKED_DELIVERY: _untracked_delivery,
    SuspicionRule.REVIEW_BURST: _review_burst,
    SuspicionRule.REVIEW_BEFORE_DELIVERY: _review_before_delivery,
}


def suspicion_candidates(*, start: datetime, end: datetime) -> list[Candidate]:
    """What every rule finds over [start, end), without writing anything."""
    cfg = detection_settings()
    return [candidate for rule in RULES.values() for candidate in rule(start, end, cfg)]


def suspicion_flags_detect(*, as_of: datetime, window_days: int = 1, actor: Actor = None) -> DetectionResult:
    """Run every rule over the whole days before `as_of` and raise a flag for each new finding, audited.

    Idempotent: a finding that already has its flag (whatever its status) is left alone, so a dismissed
    flag is not raised again by a rerun.
    """
    start, end = detection_window(as_of=as_of, window_days=window_days)
    candidates = suspicion_candidates(start=start, end=end)
    result = DetectionResult(window_start=start, window_end=end, found=len(candidates))
    if not candidates:
        return result
    existing = set(
        SuspicionFlag.objects.filter(
            merchant_id__in={c.merchant_id for c in candidates}, window_start__gte=start, window_end__lte=end
        ).values_list("merchant_id", "rule", "subject", "window_start")
    )
    detected_at = timezone.now()
    through = SuspicionFlag.orders.through
    for candidate in candidates:
        window_start = _day_start(candidate.day)
        if (candidate.merchant_id, candidate.rule, candidate.subject, window_start) in existing:
            continue
        with transaction.atomic():
            flag, created = SuspicionFlag.objects.get_or_create(
                merchant_id=candidate.merchant_id,
                rule=candidate.rule,
                subject=candidate.subject,
                window_start=window_start,
                window_end=_day_start(candidate.day + timedelta(days=1)),
                defaults={
                    "metrics": candidate.metrics,
                    "order_count": len(candidate.order_ids),
                    "detected_at": detected_at,
                },
            )
            if not created:  # another run raised it meanwhile
                continue
            through.objects.bulk_create(
                [through(suspicionflag_id=flag.pk, order_id=order_id) for order_id in candidate.order_ids]
            )
            audit(
                actor=actor,
                action="suspicion_flag.raise",
                obj=flag,
                after={
                    "rule": flag.rule,
                    "subject": flag.subject,
                    "window_start": window_start.isoformat(),
                    "orders": candidate.order_ids,
                    "metrics": candidate.metrics,
                },
            )
        result.created.append(flag)
    return result


def _review(*, flag: SuspicionFlag, actor: Actor, note: str, target: str) -> SuspicionFlag:
    if not (getattr(actor, "is_staff", False) and has_role(actor, *REVIEWERS)):
        raise PermissionDenied(_("Only risk officers review suspicion flags."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say what you found.")]})
    with transaction.atomic():
        flag = SuspicionFlag.objects.select_for_update().get(pk=flag.pk)
        ensure_transition(FLAG_TRANSITIONS, flag.status, target)
        before = flag.status
        flag.status = target
        flag.reviewed_by = actor
        flag.reviewed_at = timezone.now()
        flag.review_note = note
        flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
        audit(
            actor=actor,
            action=f"suspicion_flag.{'confirm' if target == FlagStatus.CONFIRMED else 'dismiss'}",
            obj=flag,
            before={"status": before},
            after={"status": target},
            reason=note,
        )
    return flag


def suspicion_flag_dismiss(*, flag: SuspicionFlag, actor: Actor, note: str) -> SuspicionFlag:
    """Staff looked and found an innocent explanation; nothing follows for the merchant."""
    return _review(flag=flag, actor=actor, note=note, target=FlagStatus.DISMISSED)


def suspicion_flag_confirm(*, flag: SuspicionFlag, actor: Actor, note: str) -> SuspicionFlag:
    """Staff judge the pattern to be fake orders or reviews. Confirming changes no score or status by
    itself: it records the finding and reports a violation (unfair competition, from the detection job), which
    staff then investigate and decide like any other; only that decision can give points or a measure."""
    with transaction.atomic():
        flag = _review(flag=flag, actor=actor, note=note, target=FlagStatus.CONFIRMED)
        with translation.override(settings.LANGUAGE_CODE):
            description = f"{flag.explanation}\n{flag.review_note}"
        violation_report(
            merchant=flag.merchant,
            category=ViolationCategory.UNFAIR_COMPETITION,
            severity=Severity.MINOR,
            description=description,
            actor=actor,
            source=ViolationSource.DETECTION,
            source_ref=flag_violation_ref(flag),
        )
    return flag


def flag_violation_ref(flag: SuspicionFlag) -> str:
    """The violation reported from a confirmed flag carries this reference (one violation per flag)."""
    return f"suspicion-flag:{flag.pk}"
