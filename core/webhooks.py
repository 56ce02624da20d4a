"""Outbound webhooks: signed event deliveries to partner endpoints, retried with exponential backoff.

Signature: every request carries `X-MerchantOps-Signature: t=<unix seconds>,v1=<hex>`, where `<hex>` is
HMAC-SHA256, keyed with the endpoint's secret, over the bytes `"<t>." + body`. Receivers recompute it,
compare in constant time and refuse timestamps older than a few minutes (`verify_signature`).

Each event is one `WebhookDelivery` per matching endpoint, created in the transaction that made the
change and sent once it commits. A failed attempt (no answer, or not 2xx) is retried after
`WEBHOOK_RETRY_BASE_SECONDS * 2**(n-1)` seconds, capped at `WEBHOOK_RETRY_MAX_SECONDS`, up to
`WEBHOOK_MAX_ATTEMPTS` attempts: with the defaults the last one comes about 26 hours after the first.
Celery beat sweeps due retries every 30 seconds (long countdowns on a Redis broker would outlive its
visibility timeout and run twice). Every attempt is logged; a delivery can be replayed.
"""

import hashlib
import hmac
import http.client
import json
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import outbound
from core.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "X-MerchantOps-Signature"
EVENT_HEADER = "X-MerchantOps-Event"
DELIVERY_HEADER = "X-MerchantOps-Delivery"
SIGNATURE_TOLERANCE_SECONDS = 300

ORDER_EVENTS = tuple(
    f"order.{name}"
    for name in ("created", "confirmed", "allocated", "packed", "shipped", "delivered", "completed", "cancelled")
)
RETURN_EVENTS = tuple(
    f"return.{name}"
    for name in ("requested", "approved", "rejected", "item_received", "refunded", "exchanged", "closed")
)
LOGISTICS_EVENTS = ("shipment.exception",)
EVENT_TYPES = ORDER_EVENTS + RETURN_EVENTS + LOGISTICS_EVENTS


def sign(secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(
    secret: str, header: str, body: bytes, *, now: float | None = None, tolerance: int = SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: parse `t=…,v1=…`, check freshness, compare the HMAC in constant time."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the `attempt`-th failed attempt (1-based)."""
    seconds = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    return timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_MAX_SECONDS))


def retry_window() -> timedelta:
    """From the first attempt to the last, when every attempt fails."""
    return sum((retry_delay(n) for n in range(1, settings.WEBHOOK_MAX_ATTEMPTS)), timedelta())


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


def _enqueue(delivery_ids: list[int]) -> None:
    from core.tasks import webhook_deliver

    for delivery_id in delivery_ids:
        webhook_deliver.delay(delivery_id=delivery_id)


def webhook_emit(*, event_type: str, merchant_id: int | None, data: dict) -> list[WebhookDelivery]:
    """Record the event for every subscribed endpoint and send it once the transaction commits."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(_listens_to(merchant_id), is_active=True)
        if event_type in endpoint.event_types
    ]
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    now = timezone.now()
    envelope = json.loads(
        json.dumps(
            {"id": str(event_id), "type": event_type, "created_at": now.isoformat(), "data": data},
            cls=DjangoJSONEncoder,
        )
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint, event_id=event_id, event_type=event_type, payload=envelope, next_attempt_at=now
            )
            for endpoint in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _listens_to(merchant_id: int | None) -> Q:
    """Platform-wide endpoints hear every merchant; a merchant's endpoints hear that merchant only."""
    if merchant_id is None:
        return Q(merchant__isnull=True)
    return Q(merchant__isnull=True) | Q(merchant_id=merchant_id)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    try:
        return outbound.post(url, body, headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS), ""
    except outbound.RefusedTarget as error:
        return None, f"refused: {error}"[:500]
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, str(error)[:500] or error.__class__.__name__


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Send one due delivery once. Moot (already done, failed for good, or not yet due) does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return delivery
        if not delivery.endpoint.is_active:
            return delivery
        # A lease: while this attempt runs, another worker finds the delivery not yet due.
        delivery.attempt_count += 1
        delivery.round_attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3)
        delivery.save(update_fields=["attempt_count", "round_attempts", "next_attempt_at", "updated_at"])
        number, url, secret = delivery.attempt_count, delivery.endpoint.url, delivery.endpoint.secret

    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "MerchantOps-Webhooks/1",
        SIGNATURE_HEADER: sign(secret, body, int(time.time())),
        EVENT_HEADER: delivery.event_type,
        DELIVERY_HEADER: str(delivery.event_id),
    }
    started = time.monotonic()
    status_code, error = _post(url, body, headers)
    duration_ms = int((time.monotonic() - started) * 1000)

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, status_code=status_code, error=error, duration_ms=duration_ms
        )
        delivery.last_status_code = status_code
        finished = now + timedelta(milliseconds=duration_ms)
        if status_code is not None and 200 <= status_code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.SUCCEEDED, finished, None
        elif delivery.round_attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = finished + retry_delay(delivery.round_attempts)
        delivery.save(update_fields=["last_status_code", "status", "delivered_at", "next_attempt_at", "updated_at"])
    return delivery


def webhook_deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_delivery_replay(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send the same event again now, with a fresh round of retries; the log keeps every attempt."""
    from core.audit import audit

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
        before = delivery.status
        delivery.status = DeliveryStatus.PENDING
        delivery.round_attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["status", "round_attempts", "next_attempt_at", "updated_at"])
        audit(
            actor=actor,
            action="webhook.replay",
            obj=delivery,
            merchant_id=delivery.endpoint.merchant_id,
            before={"status": before},
            after={"status": delivery.status},
        )
        transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery
