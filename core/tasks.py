from celery import shared_task

from core import services


@shared_task(name="core.tasks.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    return services.idempotency_records_purge()
