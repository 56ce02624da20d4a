"""Reads of credit consequences: what other apps ask (campaign sign-up, priority, deposit discount), the
merchant's own view and the staff list."""

from django.db.models import Q, QuerySet
from django.http import Http404

from core.access import Caller
from credit.choices import PERKS, ConsequenceKind
from credit.models import CreditConsequence
from merchants.selectors import scope_to_caller

K = ConsequenceKind
# What stops a campaign sign-up: tier D's rule, or a restriction for credit.
NO_CAMPAIGNS = (K.CAMPAIGN_INELIGIBLE, K.CREDIT_RESTRICTION)


def _active() -> QuerySet[CreditConsequence]:
    return CreditConsequence.objects.filter(lifted_at__isnull=True)


# --- For other apps (marketing will ask these) ---------------------------------------------------------------


def campaign_signup_allowed(merchant_id: int) -> bool:
    """False while the merchant has lost campaign sign-up (tier D) or is restricted for credit."""
    return not _active().filter(merchant_id=merchant_id, kind__in=NO_CAMPAIGNS).exists()


def campaign_signup_blocked_ids(merchant_ids) -> set[int]:
    """The merchants among these that may not sign up for campaigns (one query, for eligibility lists)."""
    return set(
        _active().filter(merchant_id__in=merchant_ids, kind__in=NO_CAMPAIGNS).values_list("merchant_id", flat=True)
    )


def priority_recommended(merchant_id: int) -> bool:
    return _active().filter(merchant_id=merchant_id, kind=K.PRIORITY_RECOMMENDATION).exists()


def priority_recommended_ids(merchant_ids) -> set[int]:
    """The merchants among these with the priority recommendation flag (one query, for ranking lists)."""
    return set(
        _active()
        .filter(merchant_id__in=merchant_ids, kind=K.PRIORITY_RECOMMENDATION)
        .values_list("merchant_id", flat=True)
    )


def deposit_discount(merchant_id: int) -> int:
    """The merchant's deposit discount in percent (0 without one)."""
    percent = (
        _active().filter(merchant_id=merchant_id, kind=K.DEPOSIT_DISCOUNT).values_list("discount_percent", flat=True)
    )
    return next(iter(percent), None) or 0


# --- The merchant's view and the API ---------------------------------------------------------------------


def consequence_list(*, caller: Caller) -> QuerySet[CreditConsequence]:
    return scope_to_caller(CreditConsequence.objects.select_related("overridden_by"), caller=caller)


def consequence_get(*, caller: Caller, pk) -> CreditConsequence:
    try:
        return consequence_list(caller=caller).get(pk=pk)
    except (CreditConsequence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def consequence_summary(*, merchant_id: int) -> dict:
    """The merchant's active consequences for its credit page: perks, then warnings and restrictions."""
    active = list(_active().filter(merchant_id=merchant_id).order_by("kind", "component", "pk"))
    return {
        "perks": [c for c in active if c.kind in PERKS],
        "limits": [c for c in active if c.kind not in PERKS],
    }


# --- Staff ---------------------------------------------------------------------------------------------------


def consequence_staff_list(
    *,
    kind: str | None = None,
    merchant: str | None = None,
    active: bool | None = True,
    overridden: bool | None = None,
    policy_version: int | None = None,
) -> QuerySet[CreditConsequence]:
    """Staff's list with its filters; `merchant` matches an id, the store or legal name, or the USCC."""
    queryset = CreditConsequence.objects.select_related("merchant", "overridden_by").order_by("-active_from", "-id")
    if active is not None:
        queryset = queryset.filter(lifted_at__isnull=active)
    if kind:
        queryset = queryset.filter(kind=kind)
    if overridden is not None:
        queryset = queryset.filter(overridden_by__isnull=not overridden)
    if policy_version is not None:
        queryset = queryset.filter(policy_version=policy_version)
    if merchant:
        match = Q(merchant__name__icontains=merchant) | Q(merchant__legal_name__icontains=merchant)
        match |= Q(merchant__uscc__iexact=merchant)
        if merchant.isascii() and merchant.isdigit() and len(merchant) <= 18:
            match |= Q(merchant_id=int(merchant))
        queryset = queryset.filter(match)
    return queryset
