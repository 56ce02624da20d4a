"""The audit trail: every service that changes something records who, what, before/after and why."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from core.context import client_ip
from core.models import ActorType, ApiKey, AuditEntry

Actor = AbstractBaseUser | ApiKey | None


def actor_fields(actor: Actor) -> dict[str, Any]:
    if actor is None:
        return {"actor_type": ActorType.SYSTEM, "actor_label": "system"}
    if isinstance(actor, ApiKey):
        return {"actor_type": ActorType.API_KEY, "actor_api_key": actor, "actor_label": f"api-key:{actor.name}"}
    return {"actor_type": ActorType.USER, "actor_user": actor, "actor_label": actor.get_username()}


def audit(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    merchant_id: int | None = None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    """Write one audit entry. Call inside the transaction that makes the change."""
    if merchant_id is None:
        merchant_id = getattr(obj, "merchant_id", None)
    return AuditEntry.objects.create(
        **actor_fields(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        merchant_id=merchant_id,
        before=before,
        after=after,
        reason=reason,
        ip_address=client_ip.get(),
    )
