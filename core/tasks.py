from celery import shared_task

from core import services


@shared_task(name="core.tasks.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    return services.idempotency_records_purge()


@shared_task(name="core.tasks.notification_email_send")
def notification_email_send(notification_id: int) -> bool:
    from core.notifications import notification_email_send as send

    return send(notification_id=notification_id)
