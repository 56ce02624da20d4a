"""Complaint tasks: thin, idempotent wrappers over complaints.services."""

from celery import shared_task

from complaints import services


@shared_task
def complaint_classify(*, complaint_id: int) -> None:
    services.complaint_classify(complaint_id=complaint_id)


@shared_task
def complaints_check_deadlines() -> dict:
    return {
        "sla_breaches": services.complaints_flag_breaches(),
        "dispute_defaults": services.disputes_apply_defaults(),
    }


@shared_task
def complaint_rate_alerts_send() -> int:
    return services.complaint_rate_alerts_send()
