"""Reads of merchants, and the one function that scopes any queryset to the caller's merchants."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from core.access import Caller
from merchants.models import Category, Merchant, MerchantMembership


def scope_to_caller(queryset: QuerySet, *, caller: Caller) -> QuerySet:
    """Staff and platform-wide keys see everything; a merchant user or merchant key sees its own merchants.

    Each scoped model names its path to the merchant in `MERCHANT_LOOKUP` ("pk", "merchant",
    "order__merchant"); a model without one cannot be served to merchants by mistake.
    """
    lookup = queryset.model.MERCHANT_LOOKUP
    if caller.api_key is not None:
        if caller.api_key.merchant_id is None:
            return queryset
        return queryset.filter(**{lookup: caller.api_key.merchant_id})
    if caller.is_staff:
        return queryset
    user = caller.user
    if user is None or not user.is_authenticated:
        return queryset.none()
    member_of = MerchantMembership.objects.filter(user=user).values("merchant_id")
    return queryset.filter(**{f"{lookup}__in": member_of})


def merchant_list(*, caller: Caller) -> QuerySet[Merchant]:
    queryset = Merchant.objects.prefetch_related(Prefetch("categories", queryset=Category.objects.only("code")))
    return scope_to_caller(queryset, caller=caller)


def merchant_get(*, caller: Caller, pk) -> Merchant:
    try:
        return merchant_list(caller=caller).get(pk=pk)
    except (Merchant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def memberships_of(user) -> QuerySet[MerchantMembership]:
    return MerchantMembership.objects.filter(user=user).select_related("merchant").order_by("merchant__name")


def category_list() -> QuerySet[Category]:
    # `requirements`: the document types onboarding requires for each category.
    return Category.objects.prefetch_related("requirements")
