from celery import shared_task

from core import services, webhooks


@shared_task(name="core.tasks.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    return services.idempotency_records_purge()


@shared_task(name="core.tasks.webhook_deliver")
def webhook_deliver(*, delivery_id: int) -> str | None:
    delivery = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery is not None else None


@shared_task(name="core.tasks.webhook_deliveries_retry_due")
def webhook_deliveries_retry_due() -> int:
    """Beat sweep: hand every delivery whose retry time has come to a worker."""
    due = webhooks.webhook_deliveries_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id=delivery_id)
    return len(due)


@shared_task(name="core.tasks.notification_email_send")
def notification_email_send(notification_id: int) -> bool:
    from core.notifications import notification_email_send as send

    return send(notification_id=notification_id)
