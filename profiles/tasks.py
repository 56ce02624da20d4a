"""Celery tasks of merchant information: thin, and safe to run twice."""

from celery import shared_task

from profiles import services


@shared_task(name="profiles.tasks.document_expiry_daily")
def document_expiry_daily() -> dict:
    """Daily: remind of documents about to expire, then expire the merchants whose documents lapsed."""
    return {
        "reminded": services.document_expiry_reminders_send(),
        "expired": services.documents_expire(),
    }


@shared_task(name="profiles.tasks.change_request_sla_breaches_flag")
def change_request_sla_breaches_flag() -> int:
    return services.change_request_sla_breaches_flag()
