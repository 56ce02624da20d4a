"""Reads of the credit app; tenant scoping happens here."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.access import Caller
from credit.models import CreditScore, ScoreComponent, ScoringPolicy
from credit.scoring import points_to_gain
from merchants.selectors import scope_to_caller


def current_policy() -> ScoringPolicy:
    """The highest version (version 1 comes with the data migration)."""
    return ScoringPolicy.objects.order_by("-version").first()


def policy_get(*, version: int) -> ScoringPolicy | None:
    return ScoringPolicy.objects.filter(version=version).first()


def credit_score_list(*, caller: Caller) -> QuerySet[CreditScore]:
    queryset = CreditScore.objects.prefetch_related(
        Prefetch("components", queryset=ScoreComponent.objects.order_by("name"))
    )
    return scope_to_caller(queryset, caller=caller)


def credit_score_get(*, caller: Caller, pk) -> CreditScore:
    try:
        return credit_score_list(caller=caller).get(pk=pk)
    except (CreditScore.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def credit_report(*, caller: Caller, merchant_id: int | None = None) -> dict | None:
    """The portal's view of one of the caller's merchants: the newest score with each component against its
    target, the trend (up to the last 12 scores) and what to improve, ranked by score points gained."""
    scores = credit_score_list(caller=caller)
    if merchant_id is not None:
        scores = scores.filter(merchant_id=merchant_id)
    latest = scores.select_related("merchant").order_by("-as_of", "-id").first()
    if latest is None:
        return None
    policy = policy_get(version=latest.policy_version)
    rules = policy.components if policy else {}
    total_weight = sum(c.max_points for c in latest.components.all())
    improvements = []
    for component in latest.components.all():
        rule = rules.get(component.name)
        if rule is None:
            continue
        gain = points_to_gain(component, rule, total_weight)
        if gain > 0:
            improvements.append({"component": component, "gain": gain})
    improvements.sort(key=lambda item: (-item["gain"], item["component"].name))
    trend = list(
        CreditScore.objects.filter(merchant_id=latest.merchant_id, window_days=latest.window_days)
        .order_by("-as_of")
        .values("as_of", "score", "tier", "policy_version")[:12]
    )[::-1]
    return {"score": latest, "trend": trend, "improvements": improvements, "policy": policy}
