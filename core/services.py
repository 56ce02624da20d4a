from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.models import ApiKey, IdempotencyRecord, Scope, hash_api_key


def idempotency_records_purge(*, now=None) -> int:
    """Forget idempotency keys older than their time to live (48 h by default)."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def api_key_create(*, name: str, scopes: list[str], merchant_id: int | None = None, actor=None) -> tuple[ApiKey, str]:
    """A new partner key. The raw key is returned once and never stored; only its hash is."""
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError({"scopes": [_("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(unknown)}]})
    if not name.strip():
        raise ValidationError({"name": [_("Give the key a name.")]})
    with transaction.atomic():
        for _attempt in range(5):
            raw, prefix = ApiKey.generate()
            if not ApiKey.objects.filter(prefix=prefix).exists():
                break
        key = ApiKey.objects.create(
            name=name, prefix=prefix, hashed_key=hash_api_key(raw), scopes=sorted(set(scopes)), merchant_id=merchant_id
        )
        audit(
            actor=actor,
            action="api_key.create",
            obj=key,
            merchant_id=merchant_id,
            after={"name": name, "scopes": key.scopes, "merchant": merchant_id},
        )
    return key, raw


def api_key_revoke(*, key: ApiKey, actor, reason: str = "") -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key.pk)
        if key.is_active:
            key.is_active = False
            key.save(update_fields=["is_active", "updated_at"])
            audit(
                actor=actor,
                action="api_key.revoke",
                obj=key,
                merchant_id=key.merchant_id,
                before={"is_active": True},
                after={"is_active": False},
                reason=reason,
            )
    return key
