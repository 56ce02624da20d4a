from django.db.models import QuerySet

from core.models import AuditEntry


def audit_entries_for_merchant(*, merchant_id: int) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(merchant_id=merchant_id).select_related("actor_user").order_by("-created_at", "-id")
    )
