from django.db.models import Prefetch, QuerySet

from core.models import AuditEntry, Region, WebhookAttempt, WebhookDelivery, WebhookEndpoint

# Entries staff keep to themselves (who looked at a sensitive value, and why); merchants do not see them.
INTERNAL_ACTIONS = frozenset({"profile.reveal"})
# Keys of an entry's before/after that hold staff-only notes; removed from what a merchant sees.
INTERNAL_KEYS = frozenset({"internal_note"})


def audit_entries_for_merchant(*, merchant_id: int, staff_view: bool = True) -> QuerySet[AuditEntry]:
    queryset = AuditEntry.objects.filter(merchant_id=merchant_id)
    if not staff_view:
        queryset = queryset.exclude(action__in=INTERNAL_ACTIONS)
    return queryset.select_related("actor_user").order_by("-created_at", "-id")


def without_internal_notes(value):
    """An entry's before/after as a merchant sees it."""
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if key not in INTERNAL_KEYS}
    return value


def scoped_to_caller(queryset: QuerySet, *, caller) -> QuerySet:
    """Core's own tenant scoping (core depends on no app): same rule as merchants.selectors.scope_to_caller,
    reaching memberships through the merchant model's `members`."""
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
    return queryset.filter(**{f"{lookup}__members": user})


def webhook_endpoint_list(*, caller) -> QuerySet[WebhookEndpoint]:
    return scoped_to_caller(WebhookEndpoint.objects.all(), caller=caller)


def webhook_delivery_list(*, caller) -> QuerySet[WebhookDelivery]:
    queryset = WebhookDelivery.objects.select_related("endpoint").prefetch_related(
        Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
    )
    return scoped_to_caller(queryset, caller=caller)


def region_list() -> QuerySet[Region]:
    return Region.objects.select_related("parent")


def audit_entries_for_object(*, obj) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by(
        "created_at", "id"
    )
