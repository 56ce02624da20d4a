"""Celery tasks of onboarding (the `review` queue): thin, take ids, and safe to run twice."""

from celery import shared_task

from onboarding import services


@shared_task(name="onboarding.tasks.application_checks_run")
def application_checks_run(application_id: int) -> bool:
    return services.application_checks_run(application_id=application_id)


@shared_task(name="onboarding.tasks.review_sla_breaches_flag")
def review_sla_breaches_flag() -> int:
    return services.review_sla_breaches_flag()
