from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit
from core.models import ApiKey, IdempotencyRecord, Scope, WebhookEndpoint, hash_api_key


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


def _check_webhook_fields(*, url: str, event_types: list[str]) -> None:
    from urllib.parse import urlsplit

    from core.outbound import literal_refusal
    from core.webhooks import EVENT_TYPES

    errors = {}
    if urlsplit(url).scheme not in ("http", "https"):
        errors["url"] = [_("Use an http or https URL.")]
    elif refusal := literal_refusal(url):
        errors["url"] = [refusal]
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        errors["event_types"] = [_("Unknown event types: %(types)s") % {"types": ", ".join(unknown)}]
    elif not event_types:
        errors["event_types"] = [_("Subscribe to at least one event type.")]
    if errors:
        raise ValidationError(errors)


def webhook_endpoint_create(
    *, url: str, secret: str, event_types: list[str], merchant_id: int | None, actor
) -> WebhookEndpoint:
    _check_webhook_fields(url=url, event_types=event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url,
            secret=secret,
            event_types=sorted(set(event_types)),
            merchant_id=merchant_id,
            created_by_key=actor if isinstance(actor, ApiKey) else None,
        )
        audit(
            actor=actor,
            action="webhook_endpoint.create",
            obj=endpoint,
            merchant_id=merchant_id,
            after={"url": url, "event_types": endpoint.event_types},
        )
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor, **changes) -> WebhookEndpoint:
    """Change url, secret, event types or the active flag."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        _check_webhook_fields(
            url=changes.get("url", endpoint.url), event_types=changes.get("event_types", endpoint.event_types)
        )
        before = {"url": endpoint.url, "event_types": endpoint.event_types, "is_active": endpoint.is_active}
        for field, value in changes.items():
            setattr(endpoint, field, sorted(set(value)) if field == "event_types" else value)
        endpoint.save(update_fields=[*changes, "updated_at"])
        after = {"url": endpoint.url, "event_types": endpoint.event_types, "is_active": endpoint.is_active}
        if "secret" in changes:
            after["secret"] = "rotated"
        audit(
            actor=actor,
            action="webhook_endpoint.update",
            obj=endpoint,
            merchant_id=endpoint.merchant_id,
            before=before,
            after=after,
        )
    return endpoint
